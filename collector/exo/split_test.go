package exo

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

var splitCases = []string{
	`{}`,
	`{"a":1}`,
	` { "a" : "x" , "b":[1, {"c":"}"}], "d" :{"e":"\"]"} , "f":null,"g":true,"h":-1.5e3 } `,
	`{"Na\u006de":"v","K\"ey":"\\","x":"caf\u00e9 ☕"}`,
	"{\n  \"EmailAddresses\": [\n    \"SMTP:a@b\",\n    \"smtp:c@d\"\n  ],\n  \"WhenChanged\": {\"value\": \"\\/Date(1)\\/\", \"DateTime\": \"x\"}\n}",
	`{"a":1,"a":2}`,
}

// TestSplitObjectMatchesUnmarshal checks the one-pass splitter against
// encoding/json on valid objects: same names, same raw values, and a count
// that shows a repeated name.
func TestSplitObjectMatchesUnmarshal(t *testing.T) {
	for _, c := range splitCases {
		checkSplit(t, []byte(c))
	}
}

func checkSplit(t *testing.T, data []byte) {
	t.Helper()
	var want map[string]json.RawMessage
	if err := json.Unmarshal(data, &want); err != nil || want == nil {
		return // not an object: never split
	}
	got, n := splitObject(bytes.TrimSpace(data))
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: split %v, encoding/json %v", data, got, want)
	}
	if n < len(got) || (n == len(got)) != (topLevelKeys(data, nil) == len(want)) {
		t.Fatalf("%s: %d names read, %d distinct", data, n, len(got))
	}
}

func FuzzSplitObject(f *testing.F) {
	for _, c := range splitCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if json.Valid(data) {
			checkSplit(t, data)
		}
	})
}

// arrayElements gives the elements encoding/json gives for a valid array.
func FuzzArrayElements(f *testing.F) {
	for _, s := range []string{`[]`, `[ ]`, `["a"]`, `[ "a" , 1,null,true, {"b":[1,"]"]} ,[ ] ,-1.5e3]`, "[\n  \"SMTP:a@b\",\n  \"smtp:c@d\"\n]", `["\"]\\"]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		data = bytes.TrimSpace(data)
		var want []json.RawMessage
		if !json.Valid(data) || len(data) == 0 || data[0] != '[' || json.Unmarshal(data, &want) != nil {
			return
		}
		got, ok := arrayElements(data, nil)
		if !ok || len(got) != len(want) {
			t.Fatalf("%s: %q (%v), encoding/json %q", data, got, ok, want)
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("%s: element %d is %q, encoding/json %q", data, i, got[i], want[i])
			}
		}
	})
}
