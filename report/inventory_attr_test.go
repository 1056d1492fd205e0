package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/exoready/exoready/evaluate"
)

// TestInventoryCellsOfEitherForm checks that the workbook's cells of a row
// as evaluate builds it (typed objects) read as those of the same row read
// back from findings.json (decoded maps), null and empty values included.
func TestInventoryCellsOfEitherForm(t *testing.T) {
	rows := bigReport(10).Inventory.Mailboxes
	rows = append(rows, evaluate.MailboxRow{AD: &evaluate.InventoryAD{ProxyAddresses: []string{}, CustomAttributes: map[string]string{},
		ExtensionCustomAttributes: map[string][]string{"ExtensionCustomAttribute1": nil, "ExtensionCustomAttribute3": {}}},
		EXO: &evaluate.InventoryEXO{}})
	n := 0
	for _, m := range rows {
		for _, typed := range []any{m.AD, m.EXO} {
			data, err := json.Marshal(typed)
			if err != nil {
				t.Fatal(err)
			}
			var decoded map[string]any
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.UseNumber()
			if err := dec.Decode(&decoded); err != nil {
				t.Fatal(err)
			}
			for k := range decoded {
				a, b := evaluate.Attr(typed, k), evaluate.Attr(decoded, k)
				_, aBool := a.(bool)
				_, bBool := b.(bool)
				if text(a, "; ") != text(b, "; ") || attributeList(a) != attributeList(b) || aBool != bBool {
					t.Errorf("%s: typed %#v shows %q / %q, decoded %#v shows %q / %q", k, a, text(a, "; "), attributeList(a), b, text(b, "; "), attributeList(b))
				}
				n++
			}
		}
	}
	if n < 200 {
		t.Fatalf("only %d attributes compared", n)
	}
}
