package sim

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

func TestLnTableMatchesMathLog(t *testing.T) {
	tab := &lnTable
	for i, v := range tab {
		want := math.Log1p(float64(i)/lnTableSize) * (1 << 32)
		if d := math.Abs(float64(v) - want); d > 1 {
			t.Fatalf("ln(1+%d/1024): %d, want %.1f", i, v, want)
		}
	}
}

func TestExpQ32(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	const n = 1_000_000
	var sum float64
	for i := 0; i < n; i++ {
		u := rng.Uint64()
		got := float64(expQ32(u)) / (1 << 32)
		want := -math.Log(float64(u) / (1 << 64))
		if math.Abs(got-want) > 1e-6*(1+want) {
			t.Fatalf("expQ32(%d) = %v, want %v", u, got, want)
		}
		sum += got
	}
	// The mean of Exp(1) is 1; the standard error over 1e6 draws is 0.001.
	if mean := sum / n; math.Abs(mean-1) > 0.005 {
		t.Errorf("mean %v", mean)
	}
}

func TestParseRate(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want *big.Rat
	}{
		{"20000/s", big.NewRat(20000, 1)},
		{"20k/s", big.NewRat(20000, 1)},
		{"1.5M/s", big.NewRat(1500000, 1)},
		{"100/ms", big.NewRat(100000, 1)},
		{"3/s", big.NewRat(3, 1)},
		{"2/min", big.NewRat(1, 30)},
		{" 7 / us ", big.NewRat(7_000_000, 1)},
	} {
		r, err := ParseRate(tt.in)
		if err != nil {
			t.Errorf("ParseRate(%q): %v", tt.in, err)
			continue
		}
		if r.PerSec.Cmp(tt.want) != 0 {
			t.Errorf("ParseRate(%q) = %v, want %v", tt.in, r.PerSec, tt.want)
		}
	}
	for _, bad := range []string{"", "20000", "-5/s", "0/s", "abc/s", "5/fortnight", "1e3/s", "5/s/s", "1/week", "2T/s"} {
		if _, err := ParseRate(bad); err == nil {
			t.Errorf("ParseRate(%q) accepted", bad)
		}
	}
}

func TestConstantSourceIsExact(t *testing.T) {
	// 3 per second for 10 s: 30 arrivals whatever the phase, gaps of
	// exactly 333333333 or 333333334 ns.
	s, err := newSource(Load{Rate: Rate{big.NewRat(3, 1)}, Pattern: Constant}, 0, 10e9, Stream(1, "t", 0))
	if err != nil {
		t.Fatal(err)
	}
	var times []int64
	for s.next != math.MaxInt64 {
		times = append(times, s.next)
		s.advance(1 << 32)
	}
	if len(times) != 30 {
		t.Fatalf("%d arrivals, want 30", len(times))
	}
	for i := 1; i < len(times); i++ {
		if g := times[i] - times[i-1]; g != 333333333 && g != 333333334 {
			t.Fatalf("gap %d", g)
		}
	}
}

func TestPoissonSourceRate(t *testing.T) {
	s, err := newSource(Load{Rate: PerSecond(20000), Pattern: Poisson}, 0, 10e9, Stream(7, "t", 0))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for s.next != math.MaxInt64 {
		n++
		s.step()
	}
	// Expect 200000 ± 447 (one standard deviation); allow 5.
	if math.Abs(float64(n)-200000) > 5*447 {
		t.Errorf("%d arrivals in 10 s at 20000/s", n)
	}
}

func TestClock(t *testing.T) {
	c := newClock(1000)
	c.now = 10
	if c.Now() != 1010 {
		t.Fatalf("Now = %d", c.Now())
	}
	c.Step(100, -50) // reads 1100 at t=100, then 1050
	c.now = 200
	if c.Now() != 1150 {
		t.Errorf("after step Now = %d, want 1150", c.Now())
	}
	if err := c.SetDrift(300, 500_000); err != nil { // +50%
		t.Fatal(err)
	}
	c.now = 500
	if c.Now() != 1250+300 {
		t.Errorf("drifting Now = %d, want 1550", c.Now())
	}
	c.SetFrozen(600, true)
	c.now = 900
	if c.Now() != 1700 {
		t.Errorf("frozen Now = %d, want 1700", c.Now())
	}
	c.SetFrozen(1000, false)
	c.now = 1010
	if c.Now() != 1715 {
		t.Errorf("thawed Now = %d, want 1715 (frozen value + 10 * 1.5)", c.Now())
	}
	if c.Monotonic() != 1010 {
		t.Errorf("Monotonic = %d", c.Monotonic())
	}
	// History recomputes every past reading.
	for _, tt := range [][2]int64{{0, 1000}, {99, 1099}, {100, 1050}, {250, 1200}, {400, 1400}, {700, 1700}, {1002, 1703}} {
		if got := c.ReadingAt(tt[0]); got != tt[1] {
			t.Errorf("ReadingAt(%d) = %d, want %d", tt[0], got, tt[1])
		}
	}
	if err := c.SetDrift(0, -1e6); err == nil {
		t.Error("drift of -1e6 ppm accepted")
	}
}

func TestMulDivPPMMonotone(t *testing.T) {
	for _, ppm := range []int64{-999_999, -100, -1, 1, 37, 999_999} {
		prev := int64(math.MinInt64)
		for d := int64(0); d < 5000; d++ {
			v := d + mulDivPPM(d, ppm)
			if v < prev {
				t.Fatalf("ppm %d: reading went back at %d", ppm, d)
			}
			prev = v
		}
	}
}

func TestStreamsIndependentOfCount(t *testing.T) {
	a := Stream(42, "arrivals", 3).Uint64()
	b := Stream(42, "arrivals", 3).Uint64()
	if a != b {
		t.Fatal("same stream differs")
	}
	if a == Stream(42, "arrivals", 4).Uint64() || a == Stream(43, "arrivals", 3).Uint64() || a == Stream(42, "fault", 3).Uint64() {
		t.Error("different streams collide")
	}
}
