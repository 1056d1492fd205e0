package exo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/exoready/exoready/collector/snapshot"
)

// readBoth reads data as a Get-Mailbox export with readParallel and with
// readObjects. When readParallel takes the whole text, both must give the
// same mailboxes and the same problems, and readObjects no error.
func readBoth(t *testing.T, data []byte) (whole bool, mailboxes []snapshot.Mailbox) {
	t.Helper()
	newSink := datasets[0].newSink
	classic, ct := newSink().(*listSink[snapshot.Mailbox]), &tally{}
	var classicErr error
	if ts, err := newTextStream(bytes.NewReader(data)); err != nil {
		classicErr = err
	} else {
		_, classicErr = readObjects(ts, func(o *rawObject) error {
			ct.add(classic, newFields("Get-Mailbox.json", o))
			return nil
		})
	}
	ts, err := newTextStream(bytes.NewReader(data))
	if err != nil {
		return false, nil
	}
	fast, ft := newSink().(*listSink[snapshot.Mailbox]), &tally{}
	if whole, err := readParallel(t.Context(), ts, "Get-Mailbox.json", fast, ft, int64(len(data))); err != nil || !whole {
		if err != nil {
			t.Fatal(err)
		}
		return false, nil
	}
	if classicErr != nil {
		t.Fatalf("the parallel reader took a text readObjects refuses (%v):\n%.300q", classicErr, data)
	}
	if !reflect.DeepEqual(ft, ct) {
		t.Fatalf("problems differ:\nparallel %+v\nclassic  %+v", ft, ct)
	}
	if !reflect.DeepEqual(fast.items, classic.items) {
		t.Fatalf("mailboxes differ:\nparallel %+v\nclassic  %+v", fast.items, classic.items)
	}
	return true, fast.items
}

var parallelSeeds = []string{
	`[]`, ` [ ] `, `[{}]`, `[{"Name":"a"}]`, "\ufeff[{\"Name\":\"a\"}]",
	"[\n  {\n    \"Guid\": \"A\",\n    \"Alias\": \"x\"\n  },\n  {\n    \"Alias\": \"y\",\n    \"Guid\": \"B\"\n  }\n]\n",
	`[{"alias":"x","GUID":"a"},{"Alias":"y"},{"alias":"z","GUID":"c"}]`,
	`[{"Al\u0069as":"x","EmailAddresses":["SMTP:a@b","smtp:c@d"]}]`,
	`[{"Alias":"x","alias":"y"}]`, `[{"Alias":"x","Alias":"y"}]`, `[{"Alias":"x","Aliaſ":"y"}]`,
	`[{"Name":"a"},null]`, `[{"Name":"a"}][{"Name":"b"}]`, `[{"Name":"a"},]`, `[{"Name":"a"}`, `{"value":[{"Name":"a"}]}`,
	`[{"Name":"\u00e9\ud83d\ude00 caf` + "\u00e9" + `"}]`, "[{\"Name\":\"\xE9\"}]", "[{\"Name\":\"a\tb\"}]", `[{"Name":"a\x"}]`,
	`[{"Name":01}]`, `[{"Name":1.}]`, `[{"Name":-1e+5,"Alias":true,"Guid":null,"X":[1,{"a":[]}]}]`, `[{"Name":tru}]`,
	`[{"WhenChangedUTC":"\/Date(1700000000000)\/","IsExchangeCloudManaged":"maybe","RecipientTypeDetails":6}]`,
	`[{"EmailAddresses":{"value":["a"],"Count":1},"WhenChanged":{"value":"\/Date(1)\/","DateTime":"x"}}]`,
	`[{"Name":"a"} {"Name":"b"}]`, `[{"Name":"a"},{"Name":"b"}] x`, "[{\"Name\":\"a\"}]\n\xEF\xBB\xBF[]",
	`[{"X":"}{\"","Name":"q\\"},{"Name":"r"}]`,
}

func FuzzParallelMatchesClassic(f *testing.F) {
	for _, s := range parallelSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { readBoth(t, data) })
}

// The parallel reader takes plain arrays of distinct names and leaves the
// rest to readObjects.
func TestParallelTakesPlainArrays(t *testing.T) {
	for _, s := range parallelSeeds {
		whole, _ := readBoth(t, []byte(s))
		want := !strings.Contains(s, `"Name":"a"},null`) && !strings.Contains(s, "][") && !strings.HasPrefix(s, "{") &&
			!strings.Contains(s, `x","alias"`) && !strings.Contains(s, `x","Alias"`) && !strings.Contains(s, "\xE9\"") &&
			!strings.Contains(s, `1.}`) && !strings.Contains(s, `01}`) && !strings.Contains(s, `tru}`) && !strings.Contains(s, `\x"`) &&
			!strings.Contains(s, "a\tb") && !strings.Contains(s, `"a"},]`) && !strings.HasSuffix(s, `"a"}`) && !strings.Contains(s, `} {`) &&
			!strings.HasSuffix(s, " x") && !strings.Contains(s, "\xEF\xBB\xBF[]")
		if whole != want {
			t.Errorf("%q: parallel reader took it: %v, want %v", s, whole, want)
		}
	}
}

// Many blocks, elements across block boundaries, an element larger than a
// block, changing shapes: same mailboxes as readObjects, in file order.
func TestParallelManyBlocks(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("[\n")
	const n = 3000
	for i := range n {
		if i > 0 {
			sb.WriteString(",\n")
		}
		pad := strings.Repeat("x", 1000+i%97)
		if i == 1234 {
			pad = strings.Repeat("y", blockSize+100)
		}
		if i%500 == 7 { // another shape now and then
			fmt.Fprintf(&sb, "  {\n    \"Name\": \"m%d\",\n    \"Guid\": \"G%d\",\n    \"Pad\": \"%s\"\n  }", i, i, pad)
			continue
		}
		fmt.Fprintf(&sb, "  {\n    \"Guid\": \"G%d\",\n    \"Name\": \"m%d\",\n    \"Pad\": \"%s\",\n    \"IsDirSynced\": %v,\n    \"EmailAddresses\": [\"SMTP:m%d@x\"]\n  }", i, i, pad, i%2 == 0, i)
	}
	sb.WriteString("\n]\n")
	whole, got := readBoth(t, []byte(sb.String()))
	if !whole || len(got) != n {
		t.Fatalf("parallel reader took it: %v, %d mailboxes", whole, len(got))
	}
	for i, m := range got {
		if m.Name != fmt.Sprintf("m%d", i) || m.Guid != fmt.Sprintf("g%d", i) {
			t.Fatalf("mailbox %d is %q %q", i, m.Name, m.Guid)
		}
	}
}

// A cancelled collection stops reading at the next block instead of
// reading the rest of a file of gigabytes.
func TestParallelStopsWhenCancelled(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("[")
	for i := range 5000 {
		if i > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, `{"Name":"m%d","Pad":"%s"}`, i, strings.Repeat("x", 1000))
	}
	sb.WriteString("]")
	ts, err := newTextStream(strings.NewReader(sb.String()))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	s, tl := datasets[0].newSink().(partedSink), &tally{}
	whole, err := readParallel(ctx, ts, "Get-Mailbox.json", s, tl, int64(sb.Len()))
	if !errors.Is(err, context.Canceled) || whole || tl.n != 0 {
		t.Fatalf("whole %v, %d objects, error %v", whole, tl.n, err)
	}
}
