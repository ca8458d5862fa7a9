package vtime_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/idsim/idsim/generators/clock"
	"github.com/idsim/idsim/generators/vtime"
)

// needOverlay skips without the overlay, unless IDSIM_VTIME=1 says the
// overlay was meant to be there (the CI step sets it).
func needOverlay(t testing.TB) {
	t.Helper()
	if !vtime.Available() {
		if os.Getenv("IDSIM_VTIME") == "1" {
			t.Fatal("IDSIM_VTIME=1 but: ", vtime.Err())
		}
		t.Skip(vtime.Err())
	}
}

func TestUnavailableSaysWhatToRun(t *testing.T) {
	if vtime.Available() {
		if vtime.Err() != nil {
			t.Fatal("Available, yet Err =", vtime.Err())
		}
		return
	}
	if err := vtime.Err(); err == nil || !strings.Contains(err.Error(), "idsim vtime overlay DIR") || !strings.Contains(err.Error(), "-overlay=DIR/overlay.json") {
		t.Fatalf("Err = %v", err)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "idsim vtime overlay") {
			t.Fatalf("Use without the overlay: panic %v", r)
		}
	}()
	vtime.Use(&clock.Manual{}, 0)
}

func TestTimeFollowsTheClock(t *testing.T) {
	needOverlay(t)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := &clock.Manual{Wall: start.UnixNano(), Mono: 0}
	restore := vtime.Use(c, 0)
	t0 := time.Now()
	if !t0.Equal(start) {
		t.Errorf("time.Now = %v, want %v", t0, start)
	}
	if !strings.Contains(t0.String(), "m=+") {
		t.Errorf("time.Now has no monotonic reading: %v", t0)
	}
	time.Sleep(3 * time.Second) // returns at once, advances the clock
	if d := time.Since(t0); d != 3*time.Second {
		t.Errorf("after Sleep(3s), Since = %v", d)
	}
	c.Step(-time.Hour) // wall set back: Since (monotonic) does not see it
	if d := time.Since(t0); d != 3*time.Second {
		t.Errorf("after a wall step, Since = %v", d)
	}
	if got := time.Now(); !got.Equal(start.Add(3*time.Second - time.Hour)) {
		t.Errorf("after a wall step, Now = %v", got)
	}
	if d := time.Now().Sub(t0); d != 3*time.Second {
		t.Errorf("Sub of two readings = %v, want the monotonic 3s", d)
	}
	if d := time.Until(t0.Add(5 * time.Second)); d != 2*time.Second {
		t.Errorf("Until = %v", d)
	}
	// Before the epoch: negative Unix nanoseconds.
	c.Wall = -1
	if got := time.Now().UnixNano(); got != -1 {
		t.Errorf("Now at -1ns = %d", got)
	}
	restore()
	if got := time.Now(); got.Year() < 2025 || time.Since(got) < 0 {
		t.Errorf("after restore, Now = %v", got)
	}
	real0 := time.Now()
	time.Sleep(2 * time.Millisecond)
	if d := time.Since(real0); d < 2*time.Millisecond {
		t.Errorf("after restore, Sleep(2ms) took %v", d)
	}
}

func TestStepPerReadLetsSpinsProgress(t *testing.T) {
	needOverlay(t)
	c := &clock.Manual{Wall: 1_000_000_000, Mono: 1}
	defer vtime.Use(c, time.Microsecond)()
	t0 := time.Now()
	n := 0
	for time.Now().UnixMilli() == t0.UnixMilli() { // spins past the millisecond
		n++
	}
	if n != 999 {
		t.Errorf("spun %d times, want 999 at 1µs per read", n)
	}
	// Nesting.
	inner := &clock.Manual{Wall: 5e9}
	r := vtime.Use(inner, 0)
	if got := time.Now().UnixNano(); got != 5e9 {
		t.Errorf("inner clock: %d", got)
	}
	r()
	if got := time.Now().UnixNano(); got != c.Wall-int64(time.Microsecond) {
		t.Errorf("outer clock after the inner restore: %d, clock %d", got, c.Wall)
	}
}

// BenchmarkNow measures time.Now; run it with and without the overlay
// (no clock installed) to see the hook's cost.
func BenchmarkNow(b *testing.B) {
	var s int64
	for b.Loop() {
		s += time.Now().UnixNano()
	}
	_ = s
}

// BenchmarkSince measures time.Since's monotonic fast path.
func BenchmarkSince(b *testing.B) {
	t0 := time.Now()
	var s time.Duration
	for b.Loop() {
		s += time.Since(t0)
	}
	_ = s
}
