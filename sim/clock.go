package sim

import (
	"fmt"
	"math/bits"
	"sort"
)

// Clock is one worker's wall clock: true (virtual) time plus an offset that
// faults can step, a drift in parts per million, and freezing. It
// implements clock.Clock for the worker's generator and is read only by
// that worker.
//
// The reading is a piecewise-linear function of true time. Every change
// starts a new segment and the segments are kept, so the reading at any
// past true time can be recomputed exactly: findings use this instead of
// storing a reading per ID.
type Clock struct {
	now int64 // true time of the current call, set by the worker
	off int64 // reading - true time, when the segment is neither drifting nor frozen
	cur ClockSegment
	// fast is true when the current segment neither drifts nor is frozen.
	fast    bool
	history []ClockSegment
}

// ClockSegment is a stretch of a clock's history: from true time From
// on, the clock reads Wall + (t-From) * (1e6+DriftPPM)/1e6, or stands at
// Wall when Frozen.
type ClockSegment struct {
	From     int64
	Wall     int64
	DriftPPM int64
	Frozen   bool
}

// newClock returns a clock reading wall at true time 0.
func newClock(wall int64) *Clock {
	c := &Clock{}
	c.set(ClockSegment{From: 0, Wall: wall})
	return c
}

func (c *Clock) set(s ClockSegment) {
	if n := len(c.history); n > 0 && c.history[n-1].From == s.From {
		c.history[n-1] = s // several changes at one instant: keep the last
	} else {
		c.history = append(c.history, s)
	}
	c.cur = s
	c.fast = s.DriftPPM == 0 && !s.Frozen
	c.off = s.Wall - s.From
}

// Now returns the wall-clock reading at the worker's current true time, in
// Unix nanoseconds.
func (c *Clock) Now() int64 {
	if c.fast {
		return c.now + c.off
	}
	return c.cur.at(c.now)
}

// Monotonic returns the true time in nanoseconds since the start of the
// simulation: steps, drift and freezes of the wall clock do not affect it.
func (c *Clock) Monotonic() int64 { return c.now }

// at returns the segment's reading at true time t >= From.
func (s ClockSegment) at(t int64) int64 {
	if s.Frozen {
		return s.Wall
	}
	d := t - s.From
	if s.DriftPPM == 0 {
		return s.Wall + d
	}
	return s.Wall + d + mulDivPPM(d, s.DriftPPM)
}

// mulDivPPM returns d*ppm/1e6 rounded towards zero, exactly, for d >= 0
// and |ppm| < 1e6. Rounding towards zero keeps the reading
// non-decreasing within a segment.
func mulDivPPM(d, ppm int64) int64 {
	neg := ppm < 0
	if neg {
		ppm = -ppm
	}
	hi, lo := bits.Mul64(uint64(d), uint64(ppm))
	q, _ := bits.Div64(hi, lo, 1e6)
	if neg {
		return -int64(q)
	}
	return int64(q)
}

// ReadingAt returns what the clock read at true time t.
func (c *Clock) ReadingAt(t int64) int64 {
	i := sort.Search(len(c.history), func(i int) bool { return c.history[i].From > t }) - 1
	if i < 0 {
		i = 0
	}
	return c.history[i].at(t)
}

// History returns the clock's segments in order.
func (c *Clock) History() []ClockSegment { return c.history }

// Step moves the reading by d at true time t: an NTP step, backwards when
// d < 0.
func (c *Clock) Step(t, d int64) {
	s := c.cur
	s.Wall = s.at(t) + d
	s.From = t
	c.set(s)
}

// SetDrift makes the clock run fast (ppm > 0) or slow (ppm < 0) from true
// time t on. |ppm| must be below 1e6.
func (c *Clock) SetDrift(t, ppm int64) error {
	if ppm <= -1e6 || ppm >= 1e6 {
		return fmt.Errorf("drift %d ppm out of range (-1e6, 1e6)", ppm)
	}
	s := c.cur
	s.Wall = s.at(t)
	s.From = t
	s.DriftPPM = ppm
	c.set(s)
	return nil
}

// SetFrozen stops (frozen) or restarts the clock at true time t. A
// restarted clock goes on from the reading it stood at.
func (c *Clock) SetFrozen(t int64, frozen bool) {
	s := c.cur
	s.Wall = s.at(t)
	s.From = t
	s.Frozen = frozen
	c.set(s)
}
