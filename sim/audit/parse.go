package audit

import (
	"errors"
	"fmt"
	"math"
	"unicode"
	"unicode/utf8"

	"github.com/idsim/idsim/generators/ulid"
	"github.com/idsim/idsim/generators/uuid"
)

// ID is a parsed ID: 64-bit IDs use Lo only.
type ID struct{ Hi, Lo uint64 }

// Kind is what a line held.
type Kind int

// Kinds of ID text.
const (
	Number Kind = iota // decimal, or hexadecimal with 0x
	UUID
	ULID
)

// String returns "number", "uuid" or "ulid": the names of decode's
// --layout formats for UUIDs and ULIDs.
func (k Kind) String() string {
	switch k {
	case UUID:
		return "uuid"
	case ULID:
		return "ulid"
	}
	return "number"
}

// ParseID reads the text of one ID, the way both idsim check and idsim
// decode read it. Surrounding white space is ignored. The rules, in order:
//
//   - 0x or 0X then up to 64 bits of hexadecimal digits: a number;
//   - 36 or 32 characters, or a urn:uuid: prefix, or braces: a UUID in
//     any of the forms uuid.Parse reads (hex digits in either case, with
//     hyphens at positions 9, 14, 19 and 24 or without), even when all
//     32 are decimal digits;
//   - 26 characters: a ULID (Crockford base32, either case), even when
//     every character is a decimal digit or it starts with 0x;
//   - otherwise decimal digits: a 64-bit number. Leading zeros are
//     decimal, not octal; signs and underscores are not accepted.
//
// The error says which of these the text looked like and why it is not
// one.
func ParseID(s string) (ID, Kind, error) { return parseID(trimSpace(s)) }

// ParseNumber reads a decimal or 0x-hexadecimal 64-bit number as ParseID
// does, and refuses anything else (including UUIDs and ULIDs).
func ParseNumber(s string) (uint64, error) {
	t := trimSpace(s)
	id, kind, err := parseID(t)
	if err == nil && kind != Number {
		err = fmt.Errorf("%q is a %s, not a 64-bit number", t, kind.String())
	}
	if err != nil {
		return 0, err
	}
	return id.Lo, nil
}

// ParseLine parses one ID: a decimal or 0x-hex number, a UUID (with or
// without dashes, any case) or a ULID, read by ParseID after removing
// double quotes around it. column, when positive, takes the column-th
// comma-separated field (1-based) of the line.
func ParseLine(line string, column int) (ID, Kind, error) { return parseLine(line, column) }

// parseLineBytes is ParseLine on a line of the file, without copying it.
func parseLineBytes(line []byte, column int) (ID, Kind, error) { return parseLine(line, column) }

func parseLine[T text](line T, column int) (ID, Kind, error) {
	s, err := field(line, column)
	if err != nil {
		return ID{}, 0, err
	}
	return parseID(unquote(s))
}

// text is what the parser reads: a line from the file (no copy) or a
// string.
type text interface{ ~string | ~[]byte }

// field returns the column-th comma-separated field of line (the whole
// line for column ≤ 0).
func field[T text](line T, column int) (T, error) {
	if column <= 0 {
		return line, nil
	}
	n, start := 1, 0
	for i := 0; i < len(line); i++ {
		if line[i] != ',' {
			continue
		}
		if n == column {
			return line[start:i], nil
		}
		n++
		start = i + 1
	}
	if n == column {
		return line[start:], nil
	}
	return line[:0], fmt.Errorf("no column %d (the line has %d)", column, n)
}

// unquote removes white space, then double quotes, then white space
// around s.
func unquote[T text](s T) T {
	s = trimSpace(s)
	for len(s) > 0 && s[0] == '"' {
		s = s[1:]
	}
	for len(s) > 0 && s[len(s)-1] == '"' {
		s = s[:len(s)-1]
	}
	return trimSpace(s)
}

// trimSpace removes leading and trailing white space as strings.TrimSpace
// does (Unicode white space included), without copying.
func trimSpace[T text](s T) T {
	for len(s) > 0 {
		c := s[0]
		if c == ' ' || c >= '\t' && c <= '\r' {
			s = s[1:]
			continue
		}
		if c < utf8.RuneSelf {
			break
		}
		r, n := utf8.DecodeRuneInString(string(s[:min(len(s), utf8.UTFMax)]))
		if !unicode.IsSpace(r) {
			break
		}
		s = s[n:]
	}
	for len(s) > 0 {
		c := s[len(s)-1]
		if c == ' ' || c >= '\t' && c <= '\r' {
			s = s[:len(s)-1]
			continue
		}
		if c < utf8.RuneSelf {
			break
		}
		r, n := utf8.DecodeLastRuneInString(string(s[max(0, len(s)-utf8.UTFMax):]))
		if !unicode.IsSpace(r) {
			break
		}
		s = s[:len(s)-n]
	}
	return s
}

// hexValue maps a byte to its hexadecimal value, or 0xFF.
var hexValue = func() (d [256]byte) {
	for i := range d {
		d[i] = 0xFF
	}
	for i, c := range "0123456789abcdef" {
		d[c] = byte(i)
	}
	for i, c := range "ABCDEF" {
		d[c] = byte(10 + i)
	}
	return d
}()

// base32Value maps a byte to its value in Crockford's base32 as ulid.Parse
// reads it (either case, no aliases), or 0xFF.
var base32Value = func() (d [256]byte) {
	for i := range d {
		d[i] = 0xFF
	}
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	for i := 0; i < len(alphabet); i++ {
		d[alphabet[i]] = byte(i)
		if c := alphabet[i]; c >= 'A' {
			d[c+'a'-'A'] = byte(i)
		}
	}
	return d
}()

var errEmpty = errors.New("empty")

// parseID parses trimmed text. It allocates only to report an error.
func parseID[T text](s T) (ID, Kind, error) {
	n := len(s)
	if n == 0 {
		return ID{}, 0, errEmpty
	}
	// The common case first: a decimal of up to 19 digits cannot overflow.
	if n <= 19 {
		var v uint64
		i := 0
		for ; i < n; i++ {
			c := s[i] - '0'
			if c > 9 {
				break
			}
			v = v*10 + uint64(c)
		}
		if i == n {
			return ID{Lo: v}, Number, nil
		}
	}
	hex := n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')
	if hex {
		var v uint64
		ok := n > 2
		for i := 2; i < n && ok; i++ {
			d := hexValue[s[i]]
			if d == 0xFF || v>>60 != 0 {
				ok = false
				break
			}
			v = v<<4 | uint64(d)
		}
		if ok {
			return ID{Lo: v}, Number, nil
		}
	}
	looksUUID := n == 36 || n == 32 || s[0] == '{' || n >= 9 && hasUUIDPrefix(s)
	if looksUUID {
		if id, ok := parseUUID(s); ok {
			return id, UUID, nil
		}
	}
	if n == 26 {
		// Even when it starts with 0x: x is a base32 digit.
		if id, ok := parseULID(s); ok {
			return id, ULID, nil
		}
	}
	switch {
	case hex:
		return ID{}, 0, fmt.Errorf("%q is not a 64-bit hexadecimal number", truncate(string(s)))
	case looksUUID && !allDigits(s):
		_, err := uuid.Parse(string(s))
		if err == nil { // cannot happen: the fuzz target holds the two parsers together
			err = errors.New("not read the way uuid.Parse reads it")
		}
		return ID{}, 0, fmt.Errorf("%q is not a UUID: %v", truncate(string(s)), err)
	case n == 26:
		_, err := ulid.Parse(string(s))
		if err == nil {
			err = errors.New("not read the way ulid.Parse reads it")
		}
		return ID{}, 0, fmt.Errorf("%q is not a ULID: %v", string(s), err)
	}
	// 20 digits, or zero-padded (36 digits, say: not a UUID).
	if n == 20 {
		var v uint64
		i := 0
		for ; i < n; i++ {
			c := s[i] - '0'
			if c > 9 {
				break
			}
			if v > (math.MaxUint64-uint64(c))/10 {
				break
			}
			v = v*10 + uint64(c)
		}
		if i == n {
			return ID{Lo: v}, Number, nil
		}
	}
	if n > 20 && allDigits(s) {
		// Zero-padded decimals still fit.
		i := 0
		for i < n-1 && s[i] == '0' {
			i++
		}
		if n-i <= 20 {
			if id, kind, err := parseID(s[i:]); err == nil {
				return id, kind, nil
			}
		}
	}
	return ID{}, 0, fmt.Errorf("%q is not an ID: want a decimal or 0x number, a UUID or a ULID", truncate(string(s)))
}

func allDigits[T text](s T) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// hasUUIDPrefix reports whether s starts with urn:uuid: in any case.
func hasUUIDPrefix[T text](s T) bool {
	const p = "urn:uuid:"
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != p[i] {
			return false
		}
	}
	return true
}

// parseUUID reads what uuid.Parse reads: an optional urn:uuid: prefix,
// optional braces, then 32 hex digits, with hyphens after the 8th, 12th,
// 16th and 20th or none.
func parseUUID[T text](s T) (ID, bool) {
	if hasUUIDPrefix(s) {
		s = s[9:]
	}
	if len(s) >= 2 && s[0] == '{' && s[len(s)-1] == '}' {
		s = s[1 : len(s)-1]
	}
	var hi, lo uint64
	digits := 0
	add := func(c byte) bool {
		d := hexValue[c]
		if d == 0xFF {
			return false
		}
		hi = hi<<4 | lo>>60
		lo = lo<<4 | uint64(d)
		digits++
		return true
	}
	switch len(s) {
	case 36:
		for i := 0; i < 36; i++ {
			if i == 8 || i == 13 || i == 18 || i == 23 {
				if s[i] != '-' {
					return ID{}, false
				}
				continue
			}
			if !add(s[i]) {
				return ID{}, false
			}
		}
	case 32:
		for i := 0; i < 32; i++ {
			if !add(s[i]) {
				return ID{}, false
			}
		}
	default:
		return ID{}, false
	}
	return ID{hi, lo}, digits == 32
}

// parseULID reads what ulid.Parse reads: 26 characters of Crockford's
// base32, the first at most 7.
func parseULID[T text](s T) (ID, bool) {
	if len(s) != 26 || base32Value[s[0]] > 7 {
		return ID{}, false
	}
	var hi, lo uint64
	for i := 0; i < 26; i++ {
		v := base32Value[s[i]]
		if v == 0xFF {
			return ID{}, false
		}
		hi = hi<<5 | lo>>59
		lo = lo<<5 | uint64(v)
	}
	return ID{hi, lo}, true
}

func truncate(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
