package ulid

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/idsim/idsim/generators/clock"
	"github.com/idsim/idsim/generators/internal/rapidtest"
)

// Tests written to kill mutants that survived the rest of the suite
// (tools/mutate). Each says what it pins down.

// The millisecond runs from its first nanosecond to its last: both ends
// count on in it, and the next nanosecond starts a new one with fresh
// random bits.
func TestMillisecondBoundaries(t *testing.T) {
	ms := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	clk := &clock.Manual{Wall: ms * 1e6}
	src := rapidtest.Fixed{0, 10, 0, 20, 0, 30}
	g, _ := New(Config{}, clk, &src)
	want := []struct {
		wall   int64
		ms, lo uint64
	}{
		{ms * 1e6, uint64(ms), 10},
		{ms*1e6 + 999_999, uint64(ms), 11},
		{ms * 1e6, uint64(ms), 12},
		{ms*1e6 + 1e6, uint64(ms + 1), 20},
		{ms*1e6 + 1e6 - 1, uint64(ms + 1), 21}, // a step back of 1 ns: clamped
		{ms*1e6 + 3e6, uint64(ms + 3), 30},
	}
	for i, w := range want {
		clk.Wall = w.wall
		u, err := g.Next()
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if hi, lo := u.HiLo(); u.Timestamp() != w.ms || lo != w.lo || hi&0xFFFF != 0 {
			t.Errorf("call %d at %d: ms %d lo %d (hi %#x), want ms %d lo %d", i, w.wall, u.Timestamp(), lo, hi, w.ms, w.lo)
		}
	}
}

// Incrementing the random part carries from its low 64 bits into its top
// 16, and fails only when all 80 are set.
func TestIncrementCarries(t *testing.T) {
	clk := &clock.Manual{Wall: 1e12}
	src := rapidtest.Fixed{0xFFFE, ^uint64(0)}
	g, _ := New(Config{}, clk, &src)
	g.Next()
	u, err := g.Next()
	if hi, lo := u.HiLo(); err != nil || hi&0xFFFF != 0xFFFF || lo != 0 {
		t.Fatalf("carry: %#x %#x %v", hi, lo, err)
	}
	for range 3 {
		g.Next()
	}
	g.rLo = ^uint64(0)
	if u, err := g.Next(); !errors.Is(err, ErrOverflow) || u != (ULID{}) {
		t.Fatalf("all 80 bits set: %s, %v; want ErrOverflow", u, err)
	}
}

// RandomBits keeps the lowest bits: 64 fill the low half, 65 add one bit
// of the top 16, 80 (or 0) keep all.
func TestRandomBitsMasks(t *testing.T) {
	for _, c := range []struct {
		bits   int
		hi, lo uint64
	}{
		{0, 0xFFFF, ^uint64(0)},
		{1, 0, 1},
		{63, 0, ^uint64(0) >> 1},
		{64, 0, ^uint64(0)},
		{65, 1, ^uint64(0)},
		{79, 0x7FFF, ^uint64(0)},
		{80, 0xFFFF, ^uint64(0)},
	} {
		src := rapidtest.Fixed{^uint64(0), ^uint64(0)}
		g, err := New(Config{RandomBits: c.bits}, &clock.Manual{Wall: 1e12}, &src)
		if err != nil {
			t.Fatalf("RandomBits %d: %v", c.bits, err)
		}
		u, _ := g.Next()
		if hi, lo := u.HiLo(); hi&0xFFFF != c.hi || lo != c.lo {
			t.Errorf("RandomBits %d: %#x %#x, want %#x %#x", c.bits, hi&0xFFFF, lo, c.hi, c.lo)
		}
	}
	for _, b := range []int{-1, 81} {
		if _, err := New(Config{RandomBits: b}, &clock.Manual{}, &rapidtest.Fixed{}); err == nil {
			t.Errorf("RandomBits %d accepted", b)
		}
	}
	if _, err := New(Config{}, nil, &rapidtest.Fixed{}); err == nil {
		t.Error("nil clock accepted")
	}
	if _, err := New(Config{}, &clock.Manual{}, nil); err == nil {
		t.Error("nil source accepted")
	}
	if _, err := New(Config{OnBackward: Error + 1}, &clock.Manual{}, &rapidtest.Fixed{}); err == nil {
		t.Error("unknown policy accepted")
	}
}

// The clock's range: 1970 and the largest int64 reading are accepted
// (2^48 ms lie beyond it), a nanosecond before 1970 refused.
func TestClockRange(t *testing.T) {
	for _, c := range []struct {
		wall int64
		ok   bool
	}{{-1, false}, {0, true}, {math.MaxInt64, true}} {
		src := rapidtest.Fixed{0, 0}
		g, _ := New(Config{}, &clock.Manual{Wall: c.wall}, &src)
		u, err := g.Next()
		if (err == nil) != c.ok || (!c.ok && !errors.Is(err, ErrClockRange)) {
			t.Errorf("clock %d: %v", c.wall, err)
		}
		if c.ok && u.Timestamp() != uint64(c.wall/1e6) {
			t.Errorf("clock %d: timestamp %d", c.wall, u.Timestamp())
		}
	}
}

// The Error policy refuses a step back of one millisecond, and says by
// how much; a refusal leaves the generator where it was.
func TestErrorPolicyRefusesOneMillisecond(t *testing.T) {
	ms := int64(1e12)
	clk := &clock.Manual{Wall: ms*1e6 + 5}
	src := rapidtest.Fixed{0, 7}
	g, _ := New(Config{OnBackward: Error}, clk, &src)
	g.Next()
	clk.Wall -= 1e6
	_, err := g.Next()
	if !errors.Is(err, ErrClockBackward) || !strings.Contains(err.Error(), "by 1ms") {
		t.Fatalf("err = %v, want a refusal by 1ms", err)
	}
	clk.Wall += 1e6
	if u, err := g.Next(); err != nil || u.Timestamp() != uint64(ms) {
		t.Fatalf("back in the millisecond: %v %v", u, err)
	} else if _, lo := u.HiLo(); lo != 8 {
		t.Errorf("lo %d, want the count to go on at 8", lo)
	}
}

// Parse's errors name the problem; String writes the top 3 bits in the
// first character.
func TestParseErrors(t *testing.T) {
	for s, want := range map[string]string{
		"8ZZZZZZZZZZZZZZZZZZZZZZZZZ":  "larger than",
		"UZZZZZZZZZZZZZZZZZZZZZZZZZ":  "not a Crockford",
		"0ZZZZZZZZZZZZZZZZZZZZZZZZU":  "not a Crockford",
		"0ZZZZZZZZZZZZZZZZZZZZZZZZZZ": "want 26 characters, got 27",
	} {
		if _, err := Parse(s); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want %q", s, err, want)
		}
	}
	if s := FromHiLo(1<<63, 0).String(); s != "40000000000000000000000000" {
		t.Errorf("top bit: %s", s)
	}
	if s := FromHiLo(0, 1).String(); s != "00000000000000000000000001" {
		t.Errorf("low bit: %s", s)
	}
	if u, err := Parse("7zzzzzzzzzzzzzzzzzzzzzzzzz"); err != nil || u != FromHiLo(^uint64(0), ^uint64(0)) {
		t.Errorf("largest ULID, lower case: %v %v", u, err)
	}
}

// With the system clock the generator reads the system clock (through
// its shortcut): the ULID's time is now.
func TestSystemClock(t *testing.T) {
	g, _ := New(Config{}, clock.System{}, &rapidtest.Fixed{0, 0})
	before := time.Now()
	u, err := g.Next()
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Time(); got.Before(before.Add(-time.Minute)) || got.After(time.Now().Add(time.Minute)) {
		t.Errorf("ULID time %v, want about %v", got, before)
	}
}
