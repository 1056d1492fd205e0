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
	var s Scanner
	s.Write(data)
	return s.Found()
}

// Scanner finds the first duplicate name of a document written to it in
// pieces of any size, so a document of gigabytes can be checked while it
// is read for decoding, without holding it. The zero value is ready.
type Scanner struct {
	// names[d] holds the names seen in the object open at depth d; nil
	// for arrays and for objects without names yet.
	names []map[string]struct{}
	isObj []bool
	line  int

	inString bool   // inside a string
	escaped  bool   // the previous byte of the string was a backslash
	str      []byte // the string read so far, as written
	strLine  int    // the line the string started on
	afterStr bool   // a string ended; a colon after it makes it a name

	found *Duplicate
	done  bool // a duplicate was found or the input cannot be followed
}

// Found returns the first duplicate seen so far, or nil.
func (s *Scanner) Found() *Duplicate { return s.found }

// Write scans p; it never fails, so it can sit behind an io.TeeReader.
func (s *Scanner) Write(p []byte) (int, error) {
	if s.line == 0 {
		s.line = 1
	}
	for i := 0; i < len(p) && !s.done; i++ {
		c := p[i]
		if s.inString {
			s.stringByte(c)
			continue
		}
		if s.afterStr {
			switch c {
			case ' ', '\t', '\r':
				continue
			case '\n':
				s.line++
				continue
			case ':':
				s.afterStr = false
				s.name()
				continue
			}
			s.afterStr = false
		}
		switch c {
		case '\n':
			s.line++
		case '{', '[':
			if len(s.isObj) >= maxDepth {
				s.done = true
				break
			}
			s.names = append(s.names, nil)
			s.isObj = append(s.isObj, c == '{')
		case '}', ']':
			if len(s.isObj) == 0 {
				s.done = true
				break
			}
			s.names, s.isObj = s.names[:len(s.names)-1], s.isObj[:len(s.isObj)-1]
		case '"':
			s.inString, s.str, s.strLine = true, s.str[:0], s.line
		}
	}
	return len(p), nil
}

func (s *Scanner) stringByte(c byte) {
	switch {
	case s.escaped:
		s.escaped = false
	case c == '\\':
		s.escaped = true
	case c == '"':
		s.inString, s.afterStr = false, true
		return
	case c == '\n':
		s.done = true // not JSON: the decoder will say where
		return
	}
	s.str = append(s.str, c)
}

// name records the string just read as a name of the innermost object.
func (s *Scanner) name() {
	d := len(s.isObj) - 1
	if d < 0 || !s.isObj[d] {
		return
	}
	if s.names[d] == nil {
		s.names[d] = map[string]struct{}{}
	}
	if _, dup := s.names[d][string(s.str)]; dup {
		s.found = &Duplicate{Name: string(s.str), Line: s.strLine}
		s.done = true
		return
	}
	s.names[d][string(s.str)] = struct{}{}
}
