package ulid

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/idsim/idsim/generators/clock"
	"github.com/idsim/idsim/generators/entropy"
	"github.com/idsim/idsim/generators/internal/rapidtest"
	"pgregory.net/rapid"
)

func TestMain(m *testing.M) {
	rapidtest.DefaultSeed()
	os.Exit(m.Run())
}

// The specification's example ULID: 01ARZ3NDEKTSV4RRFFQ69G5FAV carries
// 1469922850259 ms (2016-07-30T23:54:10.259Z).
func TestParseSpecExample(t *testing.T) {
	u, err := Parse("01ARZ3NDEKTSV4RRFFQ69G5FAV")
	if err != nil {
		t.Fatal(err)
	}
	if u.Timestamp() != 1469922850259 || u.Time().Format(time.RFC3339Nano) != "2016-07-30T23:54:10.259Z" {
		t.Errorf("time %d %s", u.Timestamp(), u.Time())
	}
	if u.String() != "01ARZ3NDEKTSV4RRFFQ69G5FAV" {
		t.Errorf("round trip gave %s", u)
	}
	if l, _ := Parse("01arz3ndektsv4rrffq69g5fav"); l != u {
		t.Error("lower case parses differently")
	}
	max, err := Parse("7ZZZZZZZZZZZZZZZZZZZZZZZZZ")
	if err != nil || max.Timestamp() != 1<<48-1 {
		t.Errorf("largest ULID: %v %v", max.Timestamp(), err)
	}
	for _, s := range []string{"8ZZZZZZZZZZZZZZZZZZZZZZZZZ", "01ARZ3NDEKTSV4RRFFQ69G5FA", "01ARZ3NDEKTSV4RRFFQ69G5FAU", "01ARZ3NDEKTSV4RRFFQ69G5FA!"} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) accepted", s)
		}
	}
}

// The specification's monotonicity example: within one millisecond the
// random part counts up ...RY, ...RZ, ...S0, ...S1; and at all Zs the
// next call fails.
func TestMonotonicSpecExample(t *testing.T) {
	start, _ := Parse("01BX5ZZKBKACTAV9WEVGEMMVRY")
	hi, lo := start.HiLo()
	clk := &clock.Manual{Wall: int64(start.Timestamp()) * 1e6}
	src := rapidtest.Fixed{hi & 0xFFFF, lo}
	g, _ := New(Config{}, clk, &src)
	for _, want := range []string{"01BX5ZZKBKACTAV9WEVGEMMVRY", "01BX5ZZKBKACTAV9WEVGEMMVRZ", "01BX5ZZKBKACTAV9WEVGEMMVS0", "01BX5ZZKBKACTAV9WEVGEMMVS1"} {
		u, err := g.Next()
		if err != nil || u.String() != want {
			t.Fatalf("got %s %v, want %s", u, err, want)
		}
	}
	last, _ := Parse("01BX5ZZKBKZZZZZZZZZZZZZZZY")
	hi, lo = last.HiLo()
	src = rapidtest.Fixed{hi & 0xFFFF, lo}
	g, _ = New(Config{}, clk, &src)
	for _, want := range []string{"01BX5ZZKBKZZZZZZZZZZZZZZZY", "01BX5ZZKBKZZZZZZZZZZZZZZZZ"} {
		if u, err := g.Next(); err != nil || u.String() != want {
			t.Fatalf("got %s %v, want %s", u, err, want)
		}
	}
	if _, err := g.Next(); !errors.Is(err, ErrOverflow) {
		t.Fatalf("err = %v, want ErrOverflow", err)
	}
	// The next millisecond starts afresh.
	clk.Advance(time.Millisecond)
	src = rapidtest.Fixed{0, 0}
	if _, err := g.Next(); err != nil {
		t.Fatal(err)
	}
}

func TestPolicies(t *testing.T) {
	clk := &clock.Manual{Wall: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()}
	g, _ := New(Config{OnBackward: Error}, clk, entropy.Secure())
	g.Next()
	clk.Step(-time.Second)
	if _, err := g.Next(); !errors.Is(err, ErrClockBackward) {
		t.Errorf("error policy: %v", err)
	}
	g, _ = New(Config{}, clk, entropy.Secure())
	clk.Step(time.Second)
	first, _ := g.Next()
	clk.Step(-time.Second)
	second, err := g.Next()
	if err != nil || second.Timestamp() != first.Timestamp() || second.String() <= first.String() {
		t.Errorf("clamp: %s then %s (%v)", first, second, err)
	}
}

func TestRandomBits(t *testing.T) {
	clk := &clock.Manual{Wall: 1e12}
	src := rapidtest.Fixed{^uint64(0), ^uint64(0)}
	g, _ := New(Config{RandomBits: 12}, clk, &src)
	u, _ := g.Next()
	if hi, lo := u.HiLo(); hi&0xFFFF != 0 || lo != 0xFFF {
		t.Errorf("12 random bits gave %016x %016x", hi, lo)
	}
}

// ULIDs from one generator strictly increase in both binary and text
// order under any interleaving of calls and clock moves, or the call
// fails (Error policy, overflow).
func TestPropertyStrictlyIncreasing(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		policy := rapid.SampledFrom([]Policy{Clamp, Error}).Draw(t, "policy")
		clk := &clock.Manual{Wall: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()}
		g, _ := New(Config{OnBackward: policy, RandomBits: rapid.IntRange(0, 80).Draw(t, "bits")}, clk, rapidtest.Entropy(t))
		var last ULID
		n := 0
		for i := rapid.IntRange(1, 200).Draw(t, "steps"); i > 0; i-- {
			switch rapid.IntRange(0, 4).Draw(t, "action") {
			case 0:
				clk.Step(time.Duration(rapid.Int64Range(-5e9, 5e9).Draw(t, "step")))
			case 1:
				clk.Advance(time.Duration(rapid.Int64Range(0, 2e6).Draw(t, "advance")))
			default:
				for j := rapid.IntRange(1, 2000).Draw(t, "burst"); j > 0; j-- {
					u, err := g.Next()
					if errors.Is(err, ErrClockBackward) || errors.Is(err, ErrOverflow) {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					if n > 0 && u.String() <= last.String() {
						t.Fatalf("%s after %s", u, last)
					}
					last, n = u, n+1
				}
			}
		}
	})
}

func BenchmarkNext(b *testing.B) {
	g, _ := New(Config{}, clock.System{}, entropy.Secure())
	for i := 0; i < b.N; i++ {
		g.Next()
	}
}
