package ad

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Self-relative security descriptor parsing (MS-DTYP 2.4.6), enough to read
// the DACL of an nTSecurityDescriptor value. Every offset and length is
// bounds-checked: corrupt bytes give an error, never a panic.

// Security descriptor control bits.
const (
	seDACLPresent  = 0x0004
	seSelfRelative = 0x8000
)

// ACE types (MS-DTYP 2.4.4.1).
const (
	aceAccessAllowed       = 0x00
	aceAccessDenied        = 0x01
	aceAccessAllowedObject = 0x05
	aceAccessDeniedObject  = 0x06
)

// ACE flags.
const aceInheritOnly = 0x08

// Object ACE flags.
const (
	aceObjectTypePresent          = 0x1
	aceInheritedObjectTypePresent = 0x2
)

// securityDescriptor is the part of a security descriptor exoready reads.
type securityDescriptor struct {
	Control uint16
	Owner   string // SID, "" when not included
	Group   string
	// DACL is nil when the descriptor carries no DACL (SE_DACL_PRESENT clear
	// or a NULL DACL); NullDACL then tells which.
	DACL     []ace
	NullDACL bool
	HasDACL  bool
}

// ace is one access control entry.
type ace struct {
	Type  byte
	Flags byte
	Mask  uint32
	// ObjectType and InheritedObjectType are canonical GUIDs, "" when absent.
	ObjectType          string
	InheritedObjectType string
	SID                 string
}

var errShort = errors.New("truncated")

// parseSecurityDescriptor parses a self-relative security descriptor.
func parseSecurityDescriptor(b []byte) (*securityDescriptor, error) {
	if len(b) < 20 {
		return nil, fmt.Errorf("security descriptor is %d bytes, shorter than its 20-byte header", len(b))
	}
	if b[0] != 1 {
		return nil, fmt.Errorf("security descriptor revision %d is not 1", b[0])
	}
	sd := &securityDescriptor{Control: binary.LittleEndian.Uint16(b[2:4])}
	if sd.Control&seSelfRelative == 0 {
		return nil, errors.New("security descriptor is not self-relative")
	}
	offOwner := binary.LittleEndian.Uint32(b[4:8])
	offGroup := binary.LittleEndian.Uint32(b[8:12])
	offDACL := binary.LittleEndian.Uint32(b[16:20])
	var err error
	if offOwner != 0 {
		if sd.Owner, _, err = parseSIDAt(b, offOwner); err != nil {
			return nil, fmt.Errorf("owner SID: %w", err)
		}
	}
	if offGroup != 0 {
		if sd.Group, _, err = parseSIDAt(b, offGroup); err != nil {
			return nil, fmt.Errorf("group SID: %w", err)
		}
	}
	if sd.Control&seDACLPresent == 0 {
		return sd, nil
	}
	sd.HasDACL = true
	if offDACL == 0 {
		sd.NullDACL = true
		return sd, nil
	}
	if sd.DACL, err = parseACL(b, offDACL); err != nil {
		return nil, fmt.Errorf("DACL: %w", err)
	}
	return sd, nil
}

// parseACL parses the ACL at off.
func parseACL(b []byte, off uint32) ([]ace, error) {
	if uint64(off)+8 > uint64(len(b)) {
		return nil, fmt.Errorf("header at offset %d: %w", off, errShort)
	}
	a := b[off:]
	size := int(binary.LittleEndian.Uint16(a[2:4]))
	count := int(binary.LittleEndian.Uint16(a[4:6]))
	if size < 8 || size > len(a) {
		return nil, fmt.Errorf("ACL size %d does not fit the %d bytes left", size, len(a))
	}
	a = a[:size]
	aces := make([]ace, 0, min(count, size/8))
	pos := 8
	for i := 0; i < count; i++ {
		if pos+4 > len(a) {
			return nil, fmt.Errorf("ACE %d header at ACL offset %d: %w", i, pos, errShort)
		}
		aceSize := int(binary.LittleEndian.Uint16(a[pos+2 : pos+4]))
		if aceSize < 4 || pos+aceSize > len(a) {
			return nil, fmt.Errorf("ACE %d size %d does not fit the ACL", i, aceSize)
		}
		e, err := parseACE(a[pos : pos+aceSize])
		if err != nil {
			return nil, fmt.Errorf("ACE %d: %w", i, err)
		}
		aces = append(aces, e)
		pos += aceSize
	}
	return aces, nil
}

// parseACE parses one ACE; types other than (object) allow/deny keep only
// their header.
func parseACE(a []byte) (ace, error) {
	e := ace{Type: a[0], Flags: a[1]}
	switch e.Type {
	case aceAccessAllowed, aceAccessDenied:
		if len(a) < 8 {
			return e, fmt.Errorf("access mask: %w", errShort)
		}
		e.Mask = binary.LittleEndian.Uint32(a[4:8])
		sid, _, err := parseSIDAt(a, 8)
		if err != nil {
			return e, fmt.Errorf("SID: %w", err)
		}
		e.SID = sid
	case aceAccessAllowedObject, aceAccessDeniedObject:
		if len(a) < 12 {
			return e, fmt.Errorf("object ACE header: %w", errShort)
		}
		e.Mask = binary.LittleEndian.Uint32(a[4:8])
		flags := binary.LittleEndian.Uint32(a[8:12])
		pos := 12
		var err error
		if flags&aceObjectTypePresent != 0 {
			if pos+16 > len(a) {
				return e, fmt.Errorf("object type GUID: %w", errShort)
			}
			if e.ObjectType, err = formatGUID(a[pos : pos+16]); err != nil {
				return e, err
			}
			pos += 16
		}
		if flags&aceInheritedObjectTypePresent != 0 {
			if pos+16 > len(a) {
				return e, fmt.Errorf("inherited object type GUID: %w", errShort)
			}
			if e.InheritedObjectType, err = formatGUID(a[pos : pos+16]); err != nil {
				return e, err
			}
			pos += 16
		}
		sid, _, err := parseSIDAt(a, uint32(pos))
		if err != nil {
			return e, fmt.Errorf("SID: %w", err)
		}
		e.SID = sid
	}
	return e, nil
}

// parseSIDAt parses the binary SID at off and returns its S-1-... form and length.
func parseSIDAt(b []byte, off uint32) (string, int, error) {
	if uint64(off)+8 > uint64(len(b)) {
		return "", 0, fmt.Errorf("at offset %d: %w", off, errShort)
	}
	s := b[off:]
	if s[0] != 1 {
		return "", 0, fmt.Errorf("SID revision %d is not 1", s[0])
	}
	n := int(s[1])
	if n > 15 {
		return "", 0, fmt.Errorf("SID has %d sub-authorities, at most 15 are allowed", n)
	}
	size := 8 + 4*n
	if size > len(s) {
		return "", 0, fmt.Errorf("SID with %d sub-authorities: %w", n, errShort)
	}
	var auth uint64
	for _, c := range s[2:8] {
		auth = auth<<8 | uint64(c)
	}
	var sb strings.Builder
	sb.WriteString("S-1-")
	if auth >= 1<<32 {
		fmt.Fprintf(&sb, "0x%012X", auth)
	} else {
		sb.WriteString(strconv.FormatUint(auth, 10))
	}
	for i := 0; i < n; i++ {
		sb.WriteByte('-')
		sb.WriteString(strconv.FormatUint(uint64(binary.LittleEndian.Uint32(s[8+4*i:])), 10))
	}
	return sb.String(), size, nil
}
