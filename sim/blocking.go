package sim

import (
	"iter"
	"time"
)

// BlockingClock is the clock a generator written with blocking calls is
// given: it reads time as the worker's clock does and may sleep. Under
// Blocking, a sleep — or a spin on Now waiting for the next tick — hands
// control back to the simulator, which resumes the call once that much
// virtual time has passed; no goroutine waits on the machine's clock.
type BlockingClock interface {
	// Now returns the wall-clock reading in Unix nanoseconds.
	Now() int64
	// Monotonic returns a reading that never goes back.
	Monotonic() int64
	// Sleep waits d of virtual time.
	Sleep(d time.Duration)
}

// Blocking runs a generator whose calls may block — sony/sonyflake
// sleeps until the next tick when its sequence is used up,
// bwmarrin/snowflake spins reading the clock — as a non-blocking
// Generator for the simulator. Each call of next runs as a coroutine
// (iter.Pull): when it sleeps, TryNext returns the wait; the next TryNext
// resumes it where it stopped, with the clock moved on. A call that reads
// the same time SpinReads times in a row is taken to be spinning and
// waits SpinStep.
//
// next is called once per ID and must read time only from the clock it
// is given. A Blocking dropped mid-call (a crash) leaves its coroutine
// suspended until Close.
type Blocking struct {
	clock *Clock
	next  func(BlockingClock) (uint64, error)
	// SpinReads and SpinStep set spin detection; zero values mean 64
	// reads and 10µs.
	SpinReads int
	SpinStep  time.Duration

	pull  func() (blockEvent, bool)
	stop  func()
	reads int
	last  int64
	// The same for the monotonic clock.
	monoReads int
	lastMono  int64
	yield     func(blockEvent) bool
}

// blockEvent is what a suspended call hands the simulator: a wait, or the
// call's result.
type blockEvent struct {
	wait time.Duration
	id   uint64
	err  error
	done bool
}

// NewBlocking adapts next, run against clock, to the simulator.
func NewBlocking(clock *Clock, next func(BlockingClock) (uint64, error)) *Blocking {
	return &Blocking{clock: clock, next: next}
}

// TryNext starts a call, or resumes the one that waited, and returns its
// ID or how long it now waits.
func (b *Blocking) TryNext() (uint64, time.Duration, error) {
	if b.pull == nil {
		b.reads, b.last = 0, b.clock.Now()
		b.monoReads, b.lastMono = 0, b.clock.Monotonic()
		b.pull, b.stop = iter.Pull(func(yield func(blockEvent) bool) {
			defer func() {
				if r := recover(); r != nil && r != any(errClosed) {
					panic(r)
				}
			}()
			b.yield = yield
			id, err := b.next(blockingClock{b})
			yield(blockEvent{id: id, err: err, done: true})
		})
	}
	ev, ok := b.pull()
	if !ok || ev.done {
		b.stop()
		b.pull, b.stop, b.yield = nil, nil, nil
		return ev.id, 0, ev.err
	}
	return 0, ev.wait, nil
}

// Close ends a call left waiting.
func (b *Blocking) Close() {
	if b.stop != nil {
		b.stop()
		b.pull, b.stop, b.yield = nil, nil, nil
	}
}

// suspend hands a wait to the simulator and returns when it resumes.
func (b *Blocking) suspend(d time.Duration) {
	b.reads, b.monoReads = 0, 0
	if !b.yield(blockEvent{wait: max(d, 1)}) {
		// Closed mid-call: unwind the generator's goroutine.
		panic(errClosed)
	}
}

var errClosed = closedError{}

type closedError struct{}

func (closedError) Error() string { return "sim: blocking generator closed mid-call" }

type blockingClock struct{ b *Blocking }

func (c blockingClock) Now() int64 {
	b := c.b
	now := b.clock.Now()
	if now == b.last {
		if b.spinning(&b.reads) {
			now = b.clock.Now()
		}
	} else {
		b.reads = 0
	}
	b.last = now
	return now
}

// Monotonic detects spins as Now does: a library anchored on the
// monotonic clock (bwmarrin/snowflake, through time.Since) spins on it.
func (c blockingClock) Monotonic() int64 {
	b := c.b
	mono := b.clock.Monotonic()
	if mono == b.lastMono {
		if b.spinning(&b.monoReads) {
			mono = b.clock.Monotonic()
		}
	} else {
		b.monoReads = 0
	}
	b.lastMono = mono
	return mono
}

// spinning counts one more read of an unchanged clock in *reads and,
// after SpinReads of them, waits SpinStep and reports true.
func (b *Blocking) spinning(reads *int) bool {
	*reads++
	spin := b.SpinReads
	if spin == 0 {
		spin = 64
	}
	if *reads < spin {
		return false
	}
	step := b.SpinStep
	if step == 0 {
		step = 10 * time.Microsecond
	}
	b.suspend(step)
	return true
}

func (c blockingClock) Sleep(d time.Duration) {
	if d > 0 {
		c.b.suspend(d)
	}
}
