package exo

import (
	"bytes"
	"strings"
	"testing"
)

// A property named twice in one object is refused with its line: which
// value is true cannot be told, and taking the last one could turn a
// mailbox cloud-managed in silence.
func TestDuplicatePropertiesRefused(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		{"twice in an array element", "[\n {\"Name\": \"a\"},\n {\"Name\": \"b\",\n  \"IsExchangeCloudManaged\": false,\n  \"IsExchangeCloudManaged\": true}\n]",
			`line 3: object 2: property "IsExchangeCloudManaged" appears twice`},
		{"same name in another case", "[{\"Alias\": \"a\", \"alias\": \"b\"}]", `properties "Alias" and "alias" are the same PowerShell property`},
		{"escaped name", "[{\"Al\\u0069as\": \"a\", \"Alias\": \"b\"}]", `property "Alias" appears twice`},
		{"twice in a single top-level object", "{\n\"Name\": \"a\",\n\"NAME\": \"b\"\n}", `line 3: properties "Name" and "NAME" are the same`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, err := newTextStream(strings.NewReader(tt.json))
			if err != nil {
				t.Fatal(err)
			}
			_, err = readObjects(ts, func(*rawObject) error { return nil })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// Equal names at other levels, or inside values, are not duplicates.
func TestDuplicateCheckKeepsNestedNames(t *testing.T) {
	in := `[{"Name": "x", "Sub": {"Name": "y", "name": "z"}, "List": [{"Name": 1}], "Note": "\"Name\": 2, \\", "Nam\"e": 3}]`
	ts, err := newTextStream(bytes.NewReader([]byte(in)))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if _, err := readObjects(ts, func(o *rawObject) error { n += len(o.props); return nil }); err != nil || n != 5 {
		t.Fatalf("%d properties, %v", n, err)
	}
}

// A byte-order mark between two documents (two files joined) is named.
func TestBOMInTheMiddle(t *testing.T) {
	ts, err := newTextStream(strings.NewReader("\xEF\xBB\xBF[{\"Name\": \"a\"}]\n\xEF\xBB\xBF[{\"Name\": \"b\"}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = readObjects(ts, func(*rawObject) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "line 2:") || !strings.Contains(err.Error(), "byte-order mark in the middle of the file") {
		t.Fatalf("error %v", err)
	}
}
