package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/exoready/exoready/internal/jsondup"
)

// ErrSnapshot marks a snapshot document that cannot be used (malformed,
// wrong schema version). main maps it to the usage/config exit code.
var ErrSnapshot = errors.New("invalid snapshot")

// ReadSnapshotFile reads and validates a snapshot file. It returns the parsed
// snapshot and the exact bytes read (whose hash identifies the snapshot).
func ReadSnapshotFile(path string) (*Snapshot, []byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read snapshot: %w", err)
	}
	s, err := ParseSnapshot(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, data, nil
}

// ParseSnapshot decodes and validates a snapshot document. Unknown fields
// are refused (a misspelt section would otherwise read as "not collected").
func ParseSnapshot(data []byte) (*Snapshot, error) {
	var head struct {
		SchemaVersion *int `json:"schema_version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrSnapshot, describeJSONError(data, err))
	}
	switch {
	case head.SchemaVersion == nil:
		return nil, fmt.Errorf("%w: no schema_version: this is not an exoready snapshot", ErrSnapshot)
	case *head.SchemaVersion != SchemaVersion:
		return nil, fmt.Errorf("%w: schema_version %d is not supported (this exoready reads version %d); re-collect with this version or use a matching exoready",
			ErrSnapshot, *head.SchemaVersion, SchemaVersion)
	}
	if d := jsondup.Find(data); d != nil {
		return nil, fmt.Errorf("%w: line %d: %q appears twice in one object: the file was edited or merged; collect again", ErrSnapshot, d.Line, d.Name)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Snapshot
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrSnapshot, describeJSONError(data, err))
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the snapshot document", ErrSnapshot)
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSnapshot, err)
	}
	return &s, nil
}

// Validate checks what JSON decoding cannot: required values and the
// agreement between sections and their collection status.
func (s *Snapshot) Validate() error {
	if s.CollectedAt.IsZero() {
		return errors.New("collected_at is missing")
	}
	sections := []struct {
		name      string
		present   bool
		collected bool
	}{
		{"ad", s.AD != nil, s.Sources.AD.Collected},
		{"exo", s.EXO != nil, s.Sources.EXO.Collected},
		{"entra", s.Entra != nil, s.Sources.Entra.Collected},
		{"facts", s.Facts != nil, s.Sources.Facts.Collected},
	}
	for _, sec := range sections {
		if sec.present && !sec.collected {
			return fmt.Errorf("section %q is present but sources.%s.collected is false", sec.name, sec.name)
		}
	}
	for i, j := range s.Joined {
		if j.ID == "" {
			return fmt.Errorf("joined[%d] has no id", i)
		}
		if j.AD == nil && j.EXO == nil {
			return fmt.Errorf("joined[%d] (%s) has neither an ad nor an exo object", i, j.ID)
		}
	}
	return nil
}

// Marshal encodes the snapshot deterministically (fixed field order, sorted
// map keys, two-space indent, trailing newline).
func (s *Snapshot) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return nil, fmt.Errorf("encode snapshot: %w", err)
	}
	return buf.Bytes(), nil
}

// Complete reports whether every collected source is complete. A source not
// asked for does not make the snapshot incomplete: the rules that need it
// report "not assessed" on their own.
func (s *Snapshot) Complete() bool {
	for _, st := range []SourceStatus{s.Sources.AD, s.Sources.EXO, s.Sources.Entra, s.Sources.Facts} {
		if st.Collected && !st.Complete {
			return false
		}
	}
	return true
}

// describeJSONError turns a decoding error into "line L, column C: ...".
func describeJSONError(data []byte, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tpe *time.ParseError
	switch {
	case errors.As(err, &syn):
		l, c := lineCol(data, syn.Offset)
		return fmt.Sprintf("line %d, column %d: %v", l, c, syn)
	case errors.As(err, &typ):
		l, c := lineCol(data, typ.Offset)
		return fmt.Sprintf("line %d, column %d: field %q: expected %s, found JSON %s", l, c, typ.Field, typ.Type, typ.Value)
	case errors.As(err, &tpe):
		// encoding/json gives a time's error no position: find the value.
		where := ""
		if i := bytes.Index(data, []byte(`"`+tpe.Value+`"`)); i >= 0 {
			l, _ := lineCol(data, int64(i)+1)
			where = fmt.Sprintf("line %d: ", l)
		}
		return fmt.Sprintf("%s%q is not an RFC 3339 time (UTC, years 0000 to 9999)", where, tpe.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "document ends early (truncated file?)"
	}
	return err.Error()
}

// lineCol converts the offset encoding/json reports (the error occurred
// after reading off bytes) into the 1-based line and column of the byte that
// caused it; columns count characters, not bytes.
func lineCol(data []byte, off int64) (int, int) {
	off-- // the offending byte is the last one read
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	line, col := 1, 1
	for _, b := range data[:off] {
		switch {
		case b == '\n':
			line++
			col = 1
		case b&0xC0 != 0x80: // not a UTF-8 continuation byte
			col++
		}
	}
	return line, col
}
