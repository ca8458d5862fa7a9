// Package uuid generates and parses UUIDs as RFC 9562 defines them:
// version 4 (random) and version 7 (Unix milliseconds, then sub-millisecond
// precision, then random bits), and it decodes the fields of any version.
//
// Generators are handed a clock and an entropy source instead of reading
// the system clock and global randomness, so the simulator can drive them.
package uuid

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// UUID is a 128-bit UUID in network byte order.
type UUID [16]byte

// Nil is the nil UUID, all zeros.
var Nil UUID

// FromHiLo builds a UUID from its high and low 64 bits.
func FromHiLo(hi, lo uint64) UUID {
	var u UUID
	binary.BigEndian.PutUint64(u[:8], hi)
	binary.BigEndian.PutUint64(u[8:], lo)
	return u
}

// HiLo returns the high and low 64 bits of u. Comparing (hi, lo) pairs
// orders UUIDs as their bytes do.
func (u UUID) HiLo() (hi, lo uint64) {
	return binary.BigEndian.Uint64(u[:8]), binary.BigEndian.Uint64(u[8:])
}

// Version returns the version field (bits 48-51).
func (u UUID) Version() int { return int(u[6] >> 4) }

// Variant names the variant field (the top bits of octet 8).
func (u UUID) Variant() string {
	switch {
	case u[8]&0x80 == 0:
		return "NCS (reserved)"
	case u[8]&0xC0 == 0x80:
		return "RFC 9562"
	case u[8]&0xE0 == 0xC0:
		return "Microsoft (reserved)"
	}
	return "future (reserved)"
}

// String returns the canonical form, e.g. 017f22e2-79b0-7cc3-98c4-dc0c0c07398f.
func (u UUID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// Parse reads a UUID in canonical form, optionally in braces or with a
// urn:uuid: prefix, or as 32 hex digits; case does not matter.
func Parse(s string) (UUID, error) {
	orig := s
	s = strings.TrimPrefix(strings.ToLower(s), "urn:uuid:")
	if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
		s = s[1 : len(s)-1]
	}
	if len(s) == 36 {
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return Nil, fmt.Errorf("uuid: %q: hyphens must be at positions 9, 14, 19 and 24", orig)
		}
		s = s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	}
	if len(s) != 32 {
		return Nil, fmt.Errorf("uuid: %q: want 32 hex digits, in groups 8-4-4-4-12", orig)
	}
	var u UUID
	if _, err := hex.Decode(u[:], []byte(s)); err != nil {
		return Nil, fmt.Errorf("uuid: %q is not hexadecimal", orig)
	}
	return u, nil
}

// gregorianOffset is the number of 100 ns intervals from the start of the
// Gregorian calendar (1582-10-15) to the Unix epoch (RFC 9562, 5.1).
const gregorianOffset = 0x01B21DD213814000

// Time returns the timestamp embedded in a version 1, 6 or 7 UUID, in
// UTC; ok is false for other versions. Version 7 carries Unix
// milliseconds; versions 1 and 6 carry 100 ns intervals since 1582-10-15.
func (u UUID) Time() (t time.Time, ok bool) {
	hi, _ := u.HiLo()
	switch u.Version() {
	case 7:
		return time.UnixMilli(int64(hi >> 16)).UTC(), true
	case 1:
		ts := (hi&0xFFF)<<48 | (hi>>16&0xFFFF)<<32 | hi>>32
		return fromGregorian(ts), true
	case 6:
		ts := (hi>>16)<<12 | hi&0xFFF
		return fromGregorian(ts), true
	}
	return time.Time{}, false
}

func fromGregorian(ts uint64) time.Time {
	d := int64(ts) - gregorianOffset // 100 ns units since the Unix epoch
	return time.Unix(d/1e7, d%1e7*100).UTC()
}

// Errors a generator returns; returned errors wrap one of these.
var (
	// ErrClockBackward: a version 7 generator with the Error policy saw
	// its clock read an earlier millisecond than its last UUID.
	ErrClockBackward = errors.New("uuid: clock moved backwards")
	// ErrClockRange: the clock reads before 1970 or past the year 10889,
	// outside a version 7 timestamp.
	ErrClockRange = errors.New("uuid: clock outside the version 7 timestamp range")
)

// randomMask returns a mask keeping the lowest bits of a random field of
// width bits: all of them when keep is 0 or at least width.
func randomMask(keep, width int) uint64 {
	if keep <= 0 || keep >= width {
		return 1<<width - 1
	}
	return 1<<keep - 1
}
