package clock

import (
	"testing"
	"time"
)

func TestManual(t *testing.T) {
	m := &Manual{Wall: 100, Mono: 5}
	m.Advance(10)
	m.Step(-50)
	Sleep(m, 7)
	if m.Now() != 67 || m.Monotonic() != 22 {
		t.Errorf("wall %d mono %d, want 67 and 22", m.Now(), m.Monotonic())
	}
}

func TestSystemSleepsAtLeast(t *testing.T) {
	var c System
	for _, d := range []time.Duration{0, 200 * time.Microsecond, 3 * time.Millisecond} {
		m0 := c.Monotonic()
		c.Sleep(d)
		if got := time.Duration(c.Monotonic() - m0); got < d {
			t.Errorf("Sleep(%v) returned after %v", d, got)
		}
	}
	if w := c.Now(); w < time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano() {
		t.Errorf("Now = %d", w)
	}
}

func TestSystemTracksWallClock(t *testing.T) {
	var c System
	for i := 0; i < 1000; i++ {
		got, want := c.Now(), time.Now().UnixNano()
		if d := want - got; d < -int64(time.Millisecond) || d > int64(time.Millisecond) {
			t.Fatalf("System.Now off by %v", time.Duration(d))
		}
		if i%100 == 0 {
			time.Sleep(2 * time.Millisecond)
		}
	}
}

func BenchmarkSystemNow(b *testing.B) {
	var c System
	for i := 0; i < b.N; i++ {
		c.Now()
	}
}
