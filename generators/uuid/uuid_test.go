package uuid

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/idsim/idsim/generators/clock"
	"github.com/idsim/idsim/generators/internal/rapidtest"
	"pgregory.net/rapid"
)

func TestMain(m *testing.M) {
	rapidtest.DefaultSeed()
	os.Exit(m.Run())
}

// RFC 9562, appendix A.6: 2022-02-22 14:22:22.00 -05:00 with rand_a 0xCC3
// and rand_b 0x18C4DC0C0C07398F gives 017F22E2-79B0-7CC3-98C4-DC0C0C07398F.
// Our rand_a is the sub-millisecond fraction (method 3), so a clock 797608
// ns into the millisecond yields 0xCC3 = 3267 = floor(797608*4096/1e6).
func TestV7RFCExample(t *testing.T) {
	ms := time.Date(2022, 2, 22, 19, 22, 22, 0, time.UTC).UnixMilli()
	clk := &clock.Manual{Wall: ms*1e6 + 797608}
	src := rapidtest.Fixed{0x18C4DC0C0C07398F}
	g, err := NewV7(V7Config{}, clk, &src)
	if err != nil {
		t.Fatal(err)
	}
	u, err := g.Next()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := u.String(), "017f22e2-79b0-7cc3-98c4-dc0c0c07398f"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// RFC 9562 appendix A: the same instant in versions 1 and 6, and the
// version 4 and 7 examples.
func TestParseRFCExamples(t *testing.T) {
	instant := time.Date(2022, 2, 22, 19, 22, 22, 0, time.UTC)
	for _, tt := range []struct {
		s       string
		version int
		time    bool
	}{
		{"C232AB00-9414-11EC-B3C8-9F6BDECED846", 1, true},
		{"919108f7-52d1-4320-9bac-f847db4148a8", 4, false},
		{"1EC9414C-232A-6B00-B3C8-9F6BDECED846", 6, true},
		{"017F22E2-79B0-7CC3-98C4-DC0C0C07398F", 7, true},
	} {
		u, err := Parse(tt.s)
		if err != nil {
			t.Fatal(err)
		}
		if u.Version() != tt.version || u.Variant() != "RFC 9562" {
			t.Errorf("%s: version %d variant %s", tt.s, u.Version(), u.Variant())
		}
		ts, ok := u.Time()
		if ok != tt.time || (ok && !ts.Equal(instant)) {
			t.Errorf("%s: time %v %v, want %v", tt.s, ts, ok, instant)
		}
	}
	for _, s := range []string{"urn:uuid:919108f7-52d1-4320-9bac-f847db4148a8", "{919108F7-52D1-4320-9BAC-F847DB4148A8}", "919108f752d143209bacf847db4148a8"} {
		if u, err := Parse(s); err != nil || u.String() != "919108f7-52d1-4320-9bac-f847db4148a8" {
			t.Errorf("Parse(%q) = %v, %v", s, u, err)
		}
	}
	for _, s := range []string{"", "919108f7-52d1-4320-9bac-f847db4148a", "919108f7x52d1-4320-9bac-f847db4148a8", "g19108f7-52d1-4320-9bac-f847db4148a8"} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) accepted", s)
		}
	}
}

func TestV4(t *testing.T) {
	src := rapidtest.Fixed{^uint64(0), ^uint64(0)}
	g, _ := NewV4(V4Config{}, &src)
	u := g.Next()
	if u.Version() != 4 || u.Variant() != "RFC 9562" || u.String() != "ffffffff-ffff-4fff-bfff-ffffffffffff" {
		t.Errorf("got %s", u)
	}
	for _, tt := range []struct {
		bits int
		want string
	}{
		{8, "00000000-0000-4000-8000-0000000000ff"},
		{62, "00000000-0000-4000-bfff-ffffffffffff"},
		{70, "00000000-0000-40ff-bfff-ffffffffffff"},
		{80, "00000000-003f-4fff-bfff-ffffffffffff"},
	} {
		src := rapidtest.Fixed{^uint64(0), ^uint64(0)}
		g, _ := NewV4(V4Config{RandomBits: tt.bits}, &src)
		if got := g.Next().String(); got != tt.want || g.RandomBits() != tt.bits {
			t.Errorf("RandomBits %d: got %s, want %s", tt.bits, got, tt.want)
		}
	}
}

func TestV7ErrorPolicy(t *testing.T) {
	clk := &clock.Manual{Wall: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()}
	src := rapidtest.Fixed{1, 2, 3}
	g, _ := NewV7(V7Config{OnBackward: Error}, clk, &src)
	g.Next()
	g.Next() // same instant: counts on
	clk.Step(-time.Second)
	if _, err := g.Next(); !errors.Is(err, ErrClockBackward) {
		t.Errorf("err = %v", err)
	}
}

// Under any interleaving of calls, clock advances and steps both ways, a
// version 7 generator's UUIDs strictly increase (Clamp) or it refuses
// (Error); every UUID is a valid version 7 UUID.
func TestPropertyV7StrictlyIncreasing(t *testing.T) {
	rapid.Check(t, v7Increasing(func(g *V7) (uint64, uint64, error) { return g.NextHiLo() }))
}

// The property catches a planted bug: a generator that puts the clock's
// sub-millisecond fraction in rand_a but forgets the counter.
func TestPropertyV7CatchesMissingCounter(t *testing.T) {
	broken := func(g *V7) (uint64, uint64, error) {
		now := uint64(g.clk.Now())
		t := now/1e6<<12 | now%1e6*4096/1e6
		return t>>12<<16 | 7<<12 | t&0xFFF, g.src.Uint64()&g.mask | 2<<62, nil
	}
	if failed, _ := rapidtest.Fails(t.Name(), v7Increasing(broken)); !failed {
		t.Fatal("the property passed for a generator without a counter")
	}
}

func v7Increasing(next func(*V7) (uint64, uint64, error)) func(*rapid.T) {
	return func(t *rapid.T) {
		policy := rapid.SampledFrom([]V7Policy{Clamp, Error}).Draw(t, "policy")
		clk := &clock.Manual{Wall: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()}
		g, _ := NewV7(V7Config{OnBackward: policy, RandomBits: rapid.IntRange(0, 62).Draw(t, "bits")}, clk, rapidtest.Entropy(t))
		var lastHi, lastLo uint64
		n := 0
		for i := rapid.IntRange(1, 300).Draw(t, "steps"); i > 0; i-- {
			switch rapid.IntRange(0, 5).Draw(t, "action") {
			case 0:
				clk.Step(time.Duration(rapid.Int64Range(-5e9, 5e9).Draw(t, "step")))
			case 1:
				clk.Advance(time.Duration(rapid.Int64Range(0, 2e6).Draw(t, "advance")))
			default:
				for j := rapid.IntRange(1, 5000).Draw(t, "burst"); j > 0; j-- {
					hi, lo, err := next(g)
					if errors.Is(err, ErrClockBackward) && policy == Error {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					if u := FromHiLo(hi, lo); u.Version() != 7 || u.Variant() != "RFC 9562" {
						t.Fatalf("%s is not a version 7 UUID", u)
					}
					if n > 0 && (hi < lastHi || hi == lastHi && lo <= lastLo) {
						t.Fatalf("%s after %s: not increasing", FromHiLo(hi, lo), FromHiLo(lastHi, lastLo))
					}
					lastHi, lastLo, n = hi, lo, n+1
				}
			}
		}
	}
}

func BenchmarkV7(b *testing.B) {
	g, _ := NewV7(V7Config{}, clock.System{}, newTestSource())
	for i := 0; i < b.N; i++ {
		g.Next()
	}
}

// Every version 4 UUID has the version and variant bits set and, when
// the randomness is truncated, zeros in every random bit above the kept
// ones: exactly 2^RandomBits distinct values are possible.
func TestPropertyV4Fields(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		bits := rapid.IntRange(0, 122).Draw(t, "bits")
		g, err := NewV4(V4Config{RandomBits: bits}, rapidtest.Entropy(t))
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 20; i++ {
			u := g.Next()
			if u.Version() != 4 || u.Variant() != "RFC 9562" {
				t.Fatalf("%s: version %d variant %s", u, u.Version(), u.Variant())
			}
			hi, lo := u.HiLo()
			// Clear the fixed bits and count how high the random ones reach.
			hi &^= 0xF << 12
			lo &^= 3 << 62
			used := 0
			for b := 0; b < 62; b++ {
				if lo>>b&1 == 1 {
					used = b + 1
				}
			}
			for b, pos := 0, 0; b < 64; b++ {
				if b >= 12 && b < 16 {
					continue
				}
				if hi>>b&1 == 1 {
					used = 62 + pos + 1
				}
				pos++
			}
			if used > g.RandomBits() {
				t.Fatalf("%s uses random bit %d of %d", u, used, g.RandomBits())
			}
		}
	})
}
