package jsondup

// Duplicate is the second occurrence of a name within one object.
type Duplicate struct {
	Name string // as written, still escaped
	Line int    // 1-based line of the second occurrence
}

// maxDepth matches encoding/json's nesting limit: deeper documents are
// refused by the decoder anyway.
const maxDepth = 10000

// Find returns the first duplicate name of data, or nil. data need not be
// valid JSON: what the scan cannot follow is left to the decoder. Names are
// compared as written (escaped forms of one name are not matched).
func Find(data []byte) *Duplicate {
	// names[d] holds the names seen in the object open at depth d; nil
	// for arrays and for objects without names yet.
	var names []map[string]struct{}
	var isObj []bool
	line := 1
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '\n':
			line++
		case '{', '[':
			if len(isObj) >= maxDepth {
				return nil
			}
			names = append(names, nil)
			isObj = append(isObj, c == '{')
		case '}', ']':
			if len(isObj) == 0 {
				return nil
			}
			names, isObj = names[:len(names)-1], isObj[:len(isObj)-1]
		case '"':
			j := i + 1
			for j < len(data) && data[j] != '"' {
				if data[j] == '\\' {
					j++
				} else if data[j] == '\n' {
					return nil // not JSON: the decoder will say where
				}
				j++
			}
			if j >= len(data) {
				return nil
			}
			k := j + 1
			for k < len(data) && (data[k] == ' ' || data[k] == '\t' || data[k] == '\r' || data[k] == '\n') {
				k++
			}
			d := len(isObj) - 1
			if k < len(data) && data[k] == ':' && d >= 0 && isObj[d] {
				if names[d] == nil {
					names[d] = map[string]struct{}{}
				}
				if _, dup := names[d][string(data[i+1:j])]; dup {
					return &Duplicate{Name: string(data[i+1 : j]), Line: line}
				}
				names[d][string(data[i+1:j])] = struct{}{}
			}
			i = j
		}
	}
	return nil
}
