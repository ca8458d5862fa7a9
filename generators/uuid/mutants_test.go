package uuid

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/idsim/idsim/generators/clock"
)

// Tests written to kill mutants that survived the rest of the suite
// (tools/mutate). Each says what it pins down.

// The Error policy refuses a step back of exactly one millisecond (and
// says by how much), but counts on after a step back within the same
// millisecond.
func TestV7ErrorPolicyBoundaries(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	clk := &clock.Manual{Wall: base + 500_000}
	src := constant(0)
	g, _ := NewV7(V7Config{OnBackward: Error}, clk, &src)
	first, err := g.Next()
	if err != nil {
		t.Fatal(err)
	}
	clk.Step(-400_000) // same millisecond, earlier fraction
	u, err := g.Next()
	if err != nil {
		t.Fatalf("a step back within the millisecond: %v, want a UUID", err)
	}
	fh, _ := first.HiLo()
	if uh, _ := u.HiLo(); uh != fh+1 {
		t.Errorf("within the millisecond got %s after %s, want the counter one on", u, first)
	}
	clk.Step(-time.Millisecond + 400_000) // exactly 1 ms back
	_, err = g.Next()
	if !errors.Is(err, ErrClockBackward) {
		t.Fatalf("a 1 ms step back: err %v, want ErrClockBackward", err)
	}
	if !strings.Contains(err.Error(), "by 1ms") {
		t.Errorf("message %q does not say by how much", err)
	}
	// The Clamp policy issues after the last UUID instead.
	clk = &clock.Manual{Wall: base + 500_000}
	g, _ = NewV7(V7Config{}, clk, &src)
	a, _ := g.Next()
	clk.Step(-time.Millisecond)
	b, err := g.Next()
	ah, _ := a.HiLo()
	bh, _ := b.HiLo()
	if err != nil || bh != ah+1 {
		t.Errorf("clamp after a 1 ms step: %s (%v) after %s, want the counter one on", b, err, a)
	}
}

// A version 7 UUID's fields: 48 bits of Unix milliseconds, version 7,
// the 12-bit fraction of the millisecond, variant 10 and masked random
// bits.
func TestV7Fields(t *testing.T) {
	ms := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	clk := &clock.Manual{Wall: ms*1e6 + 750_000} // 3/4 into the millisecond
	src := constant(^uint64(0))
	g, _ := NewV7(V7Config{RandomBits: 8}, clk, &src)
	u, err := g.Next()
	if err != nil {
		t.Fatal(err)
	}
	hi, lo := u.HiLo()
	if hi>>16 != uint64(ms) || hi>>12&0xF != 7 || hi&0xFFF != 3072 || lo != 2<<62|0xFF {
		t.Errorf("got %s (hi %#x lo %#x)", u, hi, lo)
	}
	if ts, ok := u.Time(); !ok || ts.UnixMilli() != ms {
		t.Errorf("Time() = %v, %v", ts, ok)
	}
}

// The clock range: before 1970 and past 2^48 ms are refused.
func TestV7ClockRange(t *testing.T) {
	src := constant(0)
	clk := &clock.Manual{Wall: -1}
	g, _ := NewV7(V7Config{}, clk, &src)
	if _, err := g.Next(); !errors.Is(err, ErrClockRange) {
		t.Errorf("before 1970: %v", err)
	}
	clk.Wall = 0
	if _, err := g.Next(); err != nil {
		t.Errorf("at 1970: %v", err)
	}
}

// NewV4 and NewV7 reject what they cannot honour, and accept the limits.
func TestNewRejects(t *testing.T) {
	src := constant(0)
	clk := &clock.Manual{}
	if _, err := NewV4(V4Config{}, nil); err == nil {
		t.Error("NewV4 accepted a nil source")
	}
	for _, b := range []int{-1, 123} {
		if _, err := NewV4(V4Config{RandomBits: b}, &src); err == nil {
			t.Errorf("NewV4 accepted RandomBits %d", b)
		}
	}
	for _, b := range []int{0, 1, 122} {
		if g, err := NewV4(V4Config{RandomBits: b}, &src); err != nil || (b > 0 && g.RandomBits() != b) || (b == 0 && g.RandomBits() != 122) {
			t.Errorf("NewV4 RandomBits %d: %v", b, err)
		}
	}
	if _, err := NewV7(V7Config{}, nil, &src); err == nil {
		t.Error("NewV7 accepted a nil clock")
	}
	if _, err := NewV7(V7Config{}, clk, nil); err == nil {
		t.Error("NewV7 accepted a nil source")
	}
	if _, err := NewV7(V7Config{OnBackward: Error + 1}, clk, &src); err == nil {
		t.Error("NewV7 accepted an unknown policy")
	}
	for _, b := range []int{-1, 63} {
		if _, err := NewV7(V7Config{RandomBits: b}, clk, &src); err == nil {
			t.Errorf("NewV7 accepted RandomBits %d", b)
		}
	}
	if _, err := NewV7(V7Config{OnBackward: Error, RandomBits: 62}, clk, &src); err != nil {
		t.Errorf("NewV7 refused RandomBits 62: %v", err)
	}
}

// Policy names round-trip.
func TestParseV7Policy(t *testing.T) {
	for _, p := range []V7Policy{Clamp, Error} {
		if got, err := ParseV7Policy(p.String()); err != nil || got != p {
			t.Errorf("ParseV7Policy(%q) = %v, %v", p, got, err)
		}
	}
	if _, err := ParseV7Policy("wait"); err == nil {
		t.Error("ParseV7Policy accepted wait")
	}
}

// constant is an entropy source that always returns the same bits.
type constant uint64

func (c *constant) Uint64() uint64 { return uint64(*c) }

// Parse wants every hyphen in place and braces in pairs.
func TestParseRejectsNearMisses(t *testing.T) {
	good := "919108f7-52d1-4320-9bac-f847db4148a8"
	for _, pos := range []int{8, 13, 18, 23} {
		s := good[:pos] + "a" + good[pos+1:]
		if _, err := Parse(s); err == nil || !strings.Contains(err.Error(), "hyphens") {
			t.Errorf("Parse(%q) = %v, want the hyphens named", s, err)
		}
	}
	for _, s := range []string{"{" + good + "0", "0" + good + "}", "{" + good} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) accepted", s)
		}
	}
}

// Versions 1 and 6 carry 100 ns units: Time keeps the fraction of the
// second.
func TestTimeFractionV1V6(t *testing.T) {
	want := time.Unix(1_700_000_000, 123_456_700).UTC()
	ts := uint64(gregorianOffset + 1_700_000_000*10_000_000 + 1_234_567)
	v6 := FromHiLo(ts>>12<<16|6<<12|ts&0xFFF, 2<<62)
	v1 := FromHiLo((ts&0xFFFFFFFF)<<32|(ts>>32&0xFFFF)<<16|1<<12|ts>>48, 2<<62)
	for _, u := range []UUID{v6, v1} {
		if got, ok := u.Time(); !ok || !got.Equal(want) {
			t.Errorf("version %d: Time = %v, %v; want %v", u.Version(), got, ok, want)
		}
	}
}

// RandomBits just past the low half: 63 keeps one bit of the high half,
// 74 all 12 below the version.
func TestV4RandomBitsIntoTheHighHalf(t *testing.T) {
	for bits, want := range map[int]string{
		63: "00000000-0000-4001-bfff-ffffffffffff",
		74: "00000000-0000-4fff-bfff-ffffffffffff",
		75: "00000000-0001-4fff-bfff-ffffffffffff",
	} {
		src := constant(^uint64(0))
		g, _ := NewV4(V4Config{RandomBits: bits}, &src)
		if got := g.Next().String(); got != want {
			t.Errorf("RandomBits %d: %s, want %s", bits, got, want)
		}
	}
}

// The variant field's four values.
func TestVariants(t *testing.T) {
	for b, want := range map[byte]string{0x00: "NCS (reserved)", 0x7F: "NCS (reserved)", 0x80: "RFC 9562", 0xBF: "RFC 9562", 0xC0: "Microsoft (reserved)", 0xDF: "Microsoft (reserved)", 0xE0: "future (reserved)", 0xFF: "future (reserved)"} {
		var u UUID
		u[8] = b
		if got := u.Variant(); got != want {
			t.Errorf("octet 8 = %#x: %s, want %s", b, got, want)
		}
	}
}
