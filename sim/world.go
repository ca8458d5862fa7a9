// Package sim is idsim's deterministic simulation kernel: virtual time,
// workers with their own wall clocks and lifecycles, arrival processes,
// seeded random streams, a schedule of global events, and the record of
// every issued ID.
//
// Time is an int64 count of nanoseconds of true (virtual) time since the
// start of the run. Nothing in the kernel reads the machine's clock or
// global randomness.
//
// # How a run proceeds
//
// Global events — fault effects, restarts, anything scheduled with At —
// are kept in a queue ordered by time, ties broken by the order they were
// scheduled in. Between two consecutive events the workers do not
// interact, so each worker serves its own arrivals up to the next event
// independently; workers are spread over goroutines, and since each
// touches only its own state the outcome does not depend on how many run
// at once or in which order. At an event's time, every worker has served
// all arrivals strictly before it; arrivals at the same instant come
// after the event.
//
// A worker serves arrivals in order. Each call runs the generator's
// non-blocking step at the arrival time (or when the worker is next free):
// an ID is recorded with the true time; a wait makes the worker retry
// after the wait, in virtual time, while later arrivals queue; an error is
// counted by kind. The generator itself takes no virtual time.
package sim

import (
	"container/heap"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/idsim/idsim/sim/record"
)

// Config describes a run.
type Config struct {
	// Seed is the root of every random stream.
	Seed uint64
	// Start is the wall-clock time every worker's clock reads at true
	// time 0, in Unix nanoseconds.
	Start int64
	// Duration is how long the run lasts, in true nanoseconds.
	Duration int64
	// Workers lists the initial identity of each worker.
	Workers []Identity
	// Load is every worker's base arrival process.
	Load Load
	// Scheme builds each worker's generator.
	Scheme Scheme
	// RateWindow is the span over which peak throughput is measured;
	// zero means 100ms.
	RateWindow int64
	// Parallelism caps the goroutines that run workers; zero means
	// GOMAXPROCS. It never changes the result.
	Parallelism int
	// Spill, when set, takes the workers' records to disk once they hold
	// more memory than its budget (record.Spill). It never changes the
	// result; Run fails with its error if spilling does.
	Spill *record.Spill
}

// Activity is a span of true time during which a fault was acting on some
// workers. Findings name the activities in force when they happened.
type Activity struct {
	// Fault identifies the fault, as its scenario names it.
	Fault string
	// Workers lists the affected workers in ascending order; empty means
	// all.
	Workers []int
	// From and To bound the span, inclusive.
	From, To int64
}

// Affects reports whether the activity covers worker w at true time t.
func (a Activity) Affects(w int, t int64) bool {
	if t < a.From || t > a.To {
		return false
	}
	if len(a.Workers) == 0 {
		return true
	}
	i := sort.SearchInts(a.Workers, w)
	return i < len(a.Workers) && a.Workers[i] == w
}

// World is one run of the simulation.
type World struct {
	cfg      Config
	now      int64
	events   eventQueue
	seq      uint64
	workers  []*Worker
	activity []Activity
	ran      bool
	err      error

	services  []*service
	lookahead int64 // the longest window when services exist: their smallest latency
	// senders lists, in worker order, the workers that sent messages in
	// the last window; partSenders holds each chunk of workers' share.
	senders     []*Worker
	partSenders [][]*Worker
	requests    requestQueue
}

// New builds a world: one worker per identity, each with a clock reading
// cfg.Start, its base load, and a generator from the scheme.
func New(cfg Config) (*World, error) {
	if cfg.Duration <= 0 {
		return nil, errors.New("sim: duration must be positive")
	}
	if len(cfg.Workers) == 0 {
		return nil, errors.New("sim: no workers")
	}
	if cfg.Scheme == nil {
		return nil, errors.New("sim: no scheme")
	}
	if cfg.RateWindow <= 0 {
		cfg.RateWindow = int64(100 * time.Millisecond)
	}
	w := &World{cfg: cfg}
	wide := cfg.Scheme.IDBits() == 128
	if s, ok := cfg.Scheme.(ServiceScheme); ok {
		if err := s.Setup(w); err != nil {
			return nil, fmt.Errorf("sim: scheme setup: %w", err)
		}
	}
	for i, id := range cfg.Workers {
		wk := &Worker{
			Index:     i,
			world:     w,
			identity:  id,
			idents:    []IdentityChange{{From: 0, Identity: id}},
			clk:       newClock(cfg.Start),
			rng:       w.Stream("entropy", uint64(i)),
			wide:      wide,
			log:       record.New(i),
			callStart: -1,
		}
		if wide {
			wk.log = record.NewWide(i)
		}
		wk.log.SpillTo(cfg.Spill)
		wk.net = &Endpoint{w: wk, rng: w.Stream("net", uint64(i)), due: math.MaxInt64, inDue: math.MaxInt64}
		s, err := newSource(cfg.Load, 0, cfg.Duration, w.Stream("arrivals", uint64(i)))
		if err != nil {
			return nil, fmt.Errorf("sim: load: %w", err)
		}
		wk.arr.base = *s
		if err := wk.Restart(0); err != nil {
			return nil, fmt.Errorf("sim: worker %d: %w", i, err)
		}
		w.workers = append(w.workers, wk)
	}
	return w, nil
}

// Config returns the world's configuration.
func (w *World) Config() Config { return w.cfg }

// Now returns the current true time: during an event, the event's time.
func (w *World) Now() int64 { return w.now }

// Workers returns the workers in index order.
func (w *World) Workers() []*Worker { return w.workers }

// Stream returns the random stream for a purpose and index, derived from
// the world's seed. See Stream.
func (w *World) Stream(purpose string, index uint64) *rand.PCG {
	return Stream(w.cfg.Seed, purpose, index)
}

// At schedules fn to run at true time t, after every event already
// scheduled for t. Events at or after the end of the run never run.
func (w *World) At(t int64, fn func(now int64)) {
	if t < w.now {
		panic(fmt.Sprintf("sim: event at %d scheduled in the past (now %d)", t, w.now))
	}
	w.seq++
	heap.Push(&w.events, event{at: t, seq: w.seq, fn: fn})
}

// Mark records a fault's activity for the findings.
func (w *World) Mark(a Activity) {
	a.Workers = append([]int(nil), a.Workers...)
	sort.Ints(a.Workers)
	w.activity = append(w.activity, a)
}

// Activity returns the recorded activities in the order they were marked.
func (w *World) Activity() []Activity { return w.activity }

// ActiveAt lists the faults acting on worker wk at true time t, in the
// order they were marked, each once.
func (w *World) ActiveAt(wk int, t int64) []string { return ActiveIn(w.activity, wk, t) }

// Fail records an error from an event; Run returns the first one. Faults
// use it for effects that cannot be applied.
func (w *World) Fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// Run runs the world to the end of its duration and returns the first
// error an event reported. It can be called once.
func (w *World) Run() error {
	if w.ran {
		panic("sim: Run called twice")
	}
	w.ran = true
	end := w.cfg.Duration
	for {
		next := end
		if len(w.events) > 0 && w.events[0].at < end {
			next = w.events[0].at
		}
		if w.lookahead > 0 && w.now+w.lookahead < next {
			next = min(next, w.windowEnd())
		}
		w.handle(next)
		w.runWorkers(next)
		if err := w.cfg.Spill.Err(); err != nil {
			return err
		}
		w.post()
		w.now = next
		if next >= end {
			break
		}
		for len(w.events) > 0 && w.events[0].at == next {
			e := heap.Pop(&w.events).(event)
			e.fn(next)
		}
	}
	for _, wk := range w.workers {
		wk.finish(end)
	}
	return w.err
}

// windowEnd is the latest end of a window starting now that no message
// sent in it can reach: the smallest latency from now, or, for a
// TimerSender with no message waiting to be posted, from the earliest
// moment a worker can send: a timer firing (or one set during the
// window), or a reply arriving — one in an inbox, or the reply to a
// request in flight.
func (w *World) windowEnd() int64 {
	cut := w.now + w.lookahead
	ts, ok := w.cfg.Scheme.(TimerSender)
	if !ok || ts.TimerDelay() <= 0 {
		return cut
	}
	first := w.now + ts.TimerDelay()
	if len(w.requests) > 0 {
		first = min(first, w.requests[0].arrive+w.lookahead)
	}
	for _, wk := range w.workers {
		if len(wk.net.outbox) > 0 {
			return cut // sent by an event at the window's start
		}
		first = min(first, max(wk.net.due, w.now), wk.net.inDue)
	}
	return max(cut, first+w.lookahead)
}

// runWorkers lets every worker serve its arrivals before true time until,
// spreading workers over goroutines in contiguous slices. It notes, in
// worker order, the workers that sent messages.
func (w *World) runWorkers(until int64) {
	n := w.cfg.Parallelism
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	n = min(n, len(w.workers))
	w.senders = w.senders[:0]
	if s, ok := w.cfg.Scheme.(SharedScheme); ok && s.Shared() {
		w.runInterleaved(until)
		return
	}
	if n <= 1 {
		for _, wk := range w.workers {
			wk.run(until)
			if len(wk.net.outbox) > 0 {
				w.senders = append(w.senders, wk)
			}
		}
		return
	}
	// Goroutines take chunks of consecutive workers as they finish the
	// last, so that one held up (on a busy machine) does not hold up the
	// window; a chunk's senders keep worker order.
	chunks := min(len(w.workers), 8*n)
	per := (len(w.workers) + chunks - 1) / chunks
	chunks = (len(w.workers) + per - 1) / per
	if cap(w.partSenders) < chunks {
		w.partSenders = make([][]*Worker, chunks)
	}
	w.partSenders = w.partSenders[:chunks]
	var next atomic.Int64
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for {
				k := int(next.Add(1) - 1)
				if k >= chunks {
					return
				}
				lo := k * per
				senders := w.partSenders[k][:0]
				for _, wk := range w.workers[lo:min(lo+per, len(w.workers))] {
					wk.run(until)
					if len(wk.net.outbox) > 0 {
						senders = append(senders, wk)
					}
				}
				w.partSenders[k] = senders
			}
		})
	}
	wg.Wait()
	for _, s := range w.partSenders {
		w.senders = append(w.senders, s...)
	}
}

// runInterleaved lets the workers serve their arrivals before true time
// until one instant at a time, in true-time order (ties in worker
// order), for a SharedScheme. It notes, in worker order, the workers
// that sent messages.
func (w *World) runInterleaved(until int64) {
	for {
		best, at := -1, until
		for i, wk := range w.workers {
			if t := wk.nextAttempt(); t < at {
				best, at = i, t
			}
		}
		if best < 0 {
			break
		}
		w.workers[best].run(at + 1)
	}
	for _, wk := range w.workers {
		if len(wk.net.outbox) > 0 {
			w.senders = append(w.senders, wk)
		}
	}
}

// event is a scheduled global event.
type event struct {
	at  int64
	seq uint64
	fn  func(now int64)
}

// eventQueue orders events by time, then by scheduling order.
type eventQueue []event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(event)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}
