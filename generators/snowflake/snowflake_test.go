package snowflake

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/idsim/idsim/generators/clock"
	"github.com/idsim/idsim/generators/internal/rapidtest"
	"pgregory.net/rapid"
)

// start is a wall-clock reading well inside every preset's range.
var start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()

func newGen(t testing.TB, p Policy, maxWait time.Duration) (*Generator, *clock.Manual) {
	t.Helper()
	clk := &clock.Manual{Wall: start, Mono: 1}
	g, err := New(Config{Layout: Twitter, Datacenter: 3, Worker: 7, OnBackward: p, MaxWait: maxWait}, clk)
	if err != nil {
		t.Fatal(err)
	}
	return g, clk
}

func TestFieldsOfIssuedID(t *testing.T) {
	g, clk := newGen(t, Error, 0)
	id, err := g.Next()
	if err != nil {
		t.Fatal(err)
	}
	p, err := Twitter.Decode(id)
	if err != nil {
		t.Fatal(err)
	}
	if p.Datacenter != 3 || p.Worker != 7 || p.Sequence != 0 {
		t.Errorf("fields %+v", p)
	}
	if !p.Time.Equal(time.Unix(0, clk.Wall).UTC()) {
		t.Errorf("time %v, want %v", p.Time, time.Unix(0, clk.Wall).UTC())
	}
}

func TestSequenceOverflowWaitsForNextTick(t *testing.T) {
	g, clk := newGen(t, Error, 0)
	clk.Wall += 250 * int64(time.Microsecond) // a quarter into the tick
	for i := 0; i < 4096; i++ {
		_, wait, err := g.TryNext()
		if err != nil || wait != 0 {
			t.Fatalf("call %d: wait %v err %v", i, wait, err)
		}
	}
	_, wait, err := g.TryNext()
	if err != nil {
		t.Fatal(err)
	}
	if wait != 750*time.Microsecond {
		t.Fatalf("wait = %v, want the rest of the tick (750µs)", wait)
	}
	// The blocking call sleeps exactly that and issues sequence 0 of the
	// next tick.
	id, err := g.Next()
	if err != nil {
		t.Fatal(err)
	}
	p, _ := Twitter.Decode(id)
	if p.Sequence != 0 || p.Time.UnixNano() != start+int64(time.Millisecond) {
		t.Errorf("after overflow got %+v", p)
	}
}

func TestPolicies(t *testing.T) {
	t.Run("error", func(t *testing.T) {
		g, clk := newGen(t, Error, 0)
		g.Next()
		clk.Step(-1500 * time.Millisecond)
		_, err := g.Next()
		var be *BackwardError
		if !errors.As(err, &be) || !errors.Is(err, ErrClockBackward) {
			t.Fatalf("err = %v, want BackwardError", err)
		}
		if be.Behind != 1500*time.Millisecond {
			t.Errorf("Behind = %v", be.Behind)
		}
	})
	t.Run("wait within bound", func(t *testing.T) {
		g, clk := newGen(t, Wait, 2*time.Second)
		first, _ := g.Next()
		clk.Step(-1500 * time.Millisecond)
		_, wait, err := g.TryNext()
		if err != nil || wait != 1500*time.Millisecond {
			t.Fatalf("TryNext = %v, %v; want wait 1.5s", wait, err)
		}
		id, err := g.Next()
		if err != nil {
			t.Fatal(err)
		}
		if id <= first {
			t.Errorf("id %d not after %d", id, first)
		}
	})
	t.Run("wait beyond bound", func(t *testing.T) {
		g, clk := newGen(t, Wait, time.Second)
		g.Next()
		clk.Step(-1500 * time.Millisecond)
		if _, err := g.Next(); !errors.Is(err, ErrClockBackward) {
			t.Fatalf("err = %v, want ErrClockBackward", err)
		}
	})
	t.Run("wait bounded when the clock keeps falling back", func(t *testing.T) {
		g, clk := newGen(t, Wait, 100*time.Millisecond)
		g.Next()
		clk.Step(-60 * time.Millisecond)
		_, wait, _ := g.TryNext()
		clk.Advance(wait)
		clk.Step(-60 * time.Millisecond) // stepped back again while waiting
		_, _, err := g.TryNext()
		var be *BackwardError
		if !errors.As(err, &be) || be.Waited != 60*time.Millisecond {
			t.Fatalf("err = %v, want refusal after waiting 60ms", err)
		}
	})
	t.Run("ignore reissues", func(t *testing.T) {
		g, clk := newGen(t, Ignore, 0)
		first, _ := g.Next()
		clk.Step(-time.Millisecond)
		g.Next()
		clk.Advance(time.Millisecond)
		again, err := g.Next()
		if err != nil {
			t.Fatal(err)
		}
		if again != first {
			t.Errorf("ignore issued %d, want the duplicate %d", again, first)
		}
	})
}

func TestRealLibraryPolicies(t *testing.T) {
	t.Run("borrow runs ahead instead of waiting", func(t *testing.T) {
		g, clk := newGen(t, Borrow, 0)
		first, _ := g.Next()
		clk.Step(-time.Second)
		var last uint64
		for i := 0; i < 5000; i++ { // more than one tick's 4096
			id, wait, err := g.TryNext()
			if err != nil || wait != 0 || id <= max(first, last) {
				t.Fatalf("call %d: %d %v %v", i, id, wait, err)
			}
			last = id
		}
		p, _ := Twitter.Decode(last)
		if p.Time.UnixNano() != start+int64(time.Millisecond) {
			t.Errorf("borrowed into %v, want the tick after the first", p.Time)
		}
	})
	t.Run("monotonic anchor ignores wall steps until restart", func(t *testing.T) {
		g, clk := newGen(t, MonotonicAnchor, 0)
		first, _ := g.Next()
		clk.Step(-time.Hour)
		clk.Advance(time.Millisecond)
		id, err := g.Next()
		if err != nil || id <= first {
			t.Fatalf("%d after %d: %v", id, first, err)
		}
		restarted, _ := New(Config{Layout: Twitter, Datacenter: 3, Worker: 7, OnBackward: MonotonicAnchor}, clk)
		again, _ := restarted.Next()
		if again >= first {
			t.Errorf("after a restart the anchor should pick up the step back an hour")
		}
	})
	t.Run("wait then error", func(t *testing.T) {
		g, clk := newGen(t, WaitThenError, 5*time.Millisecond)
		g.Next()
		clk.Step(-3 * time.Millisecond)
		_, wait, err := g.TryNext()
		if err != nil || wait != 6*time.Millisecond {
			t.Fatalf("wait %v err %v, want to wait twice the 3ms", wait, err)
		}
		clk.Step(-10 * time.Millisecond) // still behind after the wait
		clk.Advance(wait)
		if _, _, err := g.TryNext(); !errors.Is(err, ErrClockBackward) {
			t.Fatalf("second look: %v, want refusal", err)
		}
		clk.Step(-10 * time.Millisecond)
		if _, _, err := g.TryNext(); !errors.Is(err, ErrClockBackward) {
			t.Fatalf("beyond the threshold: %v, want immediate refusal", err)
		}
	})
}

func TestRangeErrors(t *testing.T) {
	clk := &clock.Manual{Wall: Twitter.Epoch.UnixNano() - 1}
	g, err := New(Config{Layout: Twitter}, clk)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Next(); !errors.Is(err, ErrBeforeEpoch) {
		t.Errorf("before epoch: %v", err)
	}
	clk.Wall = Twitter.Horizon().UnixNano()
	if _, err := g.Next(); !errors.Is(err, ErrHorizon) {
		t.Errorf("at horizon: %v", err)
	}
	clk.Wall--
	if _, err := g.Next(); err != nil {
		t.Errorf("just before horizon: %v", err)
	}
}

func TestNewRejects(t *testing.T) {
	clk := &clock.Manual{}
	for _, cfg := range []Config{
		{Layout: Twitter, Worker: 32},
		{Layout: Twitter, Datacenter: -1},
		{Layout: Instagram, Datacenter: 1},
		{Layout: Twitter, OnBackward: Wait},
		{Layout: Twitter, OnBackward: 9},
		{Layout: Layout{Name: "empty"}},
	} {
		if _, err := New(cfg, clk); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
	if _, err := New(Config{Layout: Twitter}, nil); err == nil {
		t.Error("nil clock accepted")
	}
}

func TestParsePolicy(t *testing.T) {
	for _, p := range []Policy{Error, Wait, Ignore, Borrow, MonotonicAnchor, WaitThenError} {
		got, err := ParsePolicy(p.String())
		if err != nil || got != p {
			t.Errorf("ParsePolicy(%q) = %v, %v", p.String(), got, err)
		}
	}
	if _, err := ParsePolicy("retry"); err == nil {
		t.Error("ParsePolicy accepted retry")
	}
}

// Under any interleaving of calls, clock advances and NTP steps in either
// direction, the error and wait policies never issue an ID that is not
// strictly greater than the previous one (and so never a duplicate), and
// every ID carries the tick the clock read when it was issued.
func TestPropertySafePoliciesStrictlyIncrease(t *testing.T) {
	rapid.Check(t, strictlyIncreasing(Error, Wait, WaitThenError, Borrow, MonotonicAnchor))
}

// The same property catches the naive policy: rapid finds and shrinks a
// schedule under which ignore repeats or reorders IDs.
func TestPropertyCatchesIgnore(t *testing.T) {
	failed, report := rapidtest.Fails(t.Name(), strictlyIncreasing(Ignore))
	if !failed {
		t.Fatal("the property passed for the ignore policy")
	}
	if !strings.Contains(report, "not strictly increasing") {
		t.Errorf("report does not explain the failure:\n%s", report)
	}
}

func strictlyIncreasing(policies ...Policy) func(*rapid.T) {
	return func(t *rapid.T) {
		policy := rapid.SampledFrom(policies).Draw(t, "policy")
		layout := rapid.SampledFrom(Presets()).Draw(t, "layout")
		clk := &clock.Manual{Wall: start, Mono: 1}
		g, err := New(Config{Layout: layout, OnBackward: policy, MaxWait: 20 * time.Millisecond}, clk)
		anchor := clk.Now() - clk.Monotonic()
		if err != nil {
			t.Fatal(err)
		}
		var last uint64
		issued := 0
		steps := rapid.IntRange(1, 400).Draw(t, "steps")
		for i := 0; i < steps; i++ {
			switch rapid.IntRange(0, 9).Draw(t, "action") {
			case 0:
				clk.Step(time.Duration(rapid.Int64Range(-50e6, 50e6).Draw(t, "step_ns")))
			case 1:
				clk.Advance(time.Duration(rapid.Int64Range(0, 3e6).Draw(t, "advance_ns")))
			default:
				burst := rapid.IntRange(1, 600).Draw(t, "burst")
				for j := 0; j < burst; j++ {
					before := clk.Now()
					id, err := g.Next()
					if errors.Is(err, ErrClockBackward) {
						break
					}
					if err != nil {
						t.Fatalf("unexpected error: %v", err)
					}
					if issued > 0 && id <= last {
						t.Fatalf("id %d after %d: not strictly increasing", id, last)
					}
					p, _ := layout.Decode(id)
					now := clk.Now()
					switch policy {
					case MonotonicAnchor:
						now = anchor + clk.Monotonic()
					case Borrow:
						now = max(now, p.Time.UnixNano()) // the ID may run ahead of the clock
					}
					if p.Time.UnixNano() > now || now-p.Time.UnixNano() >= int64(layout.Unit) {
						t.Fatalf("id tick %v does not match clock %v (read %v before the call)", p.Time, time.Unix(0, now).UTC(), time.Unix(0, before).UTC())
					}
					last = id
					issued++
				}
			}
		}
	}
}

func BenchmarkTryNextManualClock(b *testing.B) {
	g, clk := newGen(b, Error, 0)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, wait, _ := g.TryNext(); wait != 0 {
			clk.Advance(wait)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ids/s")
}

// BenchmarkNextSystemClock saturates one generator on the real clock and
// reports the fraction of the layout's ceiling it reaches.
func BenchmarkNextSystemClock(b *testing.B) {
	g, err := New(Config{Layout: Twitter, Worker: 1}, clock.System{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := g.Next(); err != nil {
			b.Fatal(err)
		}
	}
	rate := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "ids/s")
	b.ReportMetric(rate/Twitter.CeilingPerWorker(), "ceiling-fraction")
}
