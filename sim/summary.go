package sim

import (
	"cmp"
	"slices"

	"github.com/idsim/idsim/sim/check"
	"github.com/idsim/idsim/sim/record"
)

// Summary adds up the workers' counters after a run.
type Summary struct {
	Offered, Generated, Errors, Unserved   int64
	WaitTotal, WaitMax, WaitedCalls        int64
	LatencyTotal, LatencyMax, DelayedCalls int64
	// Lost sums the workers' lost IDs (see WorkerStats.Lost).
	Lost int64
	// PeakWorkerRate is the highest rate, in IDs per second, at which a
	// single worker issued IDs over one rate window.
	PeakWorkerRate float64
	// PeakWorker is the worker that reached it.
	PeakWorker int
	// ErrorKinds merges the workers' error counts, ordered by first
	// occurrence.
	ErrorKinds []ErrorCount
	// Violations lists, by true time then worker, the out-of-order IDs
	// the workers kept (each its first MaxViolationsKept, so the run's
	// first MaxViolationsKept are all here); ViolationCount counts every
	// one.
	Violations     []OrderViolation
	ViolationCount int64
	// RecordBytes is the memory held by the record of issued IDs
	// (counting what spilled to disk as if it were in memory).
	RecordBytes int64
}

// Trace is what a run left behind, whichever backend ran it: each
// worker's record and counters, when faults acted, and each worker's
// clock and identity over time. *World is one; a live run builds
// another, so that results, explanations and reports are built from
// either the same way.
type Trace interface {
	// Logs returns every worker's record, in worker order.
	Logs() []*record.Log
	// Stats returns every worker's counters, in worker order.
	Stats() []*WorkerStats
	// RateWindowNs is the window peak rates are measured over.
	RateWindowNs() int64
	// Activity lists when faults acted, in the order they did.
	Activity() []Activity
	// ClockAt is what worker w's clock read at true time t.
	ClockAt(w int, t int64) int64
	// IdentityAt is what worker w was configured as at true time t.
	IdentityAt(w int, t int64) Identity
}

// Summary returns the run's totals. Call it after Run.
func (w *World) Summary() Summary { return Summarize(w) }

// Stats returns every worker's counters, in worker order.
func (w *World) Stats() []*WorkerStats {
	out := make([]*WorkerStats, len(w.workers))
	for i, wk := range w.workers {
		out[i] = &wk.stats
	}
	return out
}

// RateWindowNs is the window peak rates are measured over.
func (w *World) RateWindowNs() int64 { return w.cfg.RateWindow }

// ClockAt is what worker wk's clock read at true time t.
func (w *World) ClockAt(wk int, t int64) int64 { return w.workers[wk].clk.ReadingAt(t) }

// IdentityAt is what worker wk was configured as at true time t.
func (w *World) IdentityAt(wk int, t int64) Identity { return w.workers[wk].IdentityAt(t) }

// Summarize adds up a trace's counters.
func Summarize(tr Trace) Summary {
	var s Summary
	var peak int64 = -1
	kinds := map[string]int{}
	logs := tr.Logs()
	for i, st := range tr.Stats() {
		s.Offered += st.Offered
		s.Generated += st.Generated
		s.Errors += st.Errors
		s.Unserved += st.Unserved
		s.WaitTotal += st.WaitTotal
		s.WaitMax = max(s.WaitMax, st.WaitMax)
		s.WaitedCalls += st.WaitedCalls
		s.LatencyTotal += st.LatencyTotal
		s.LatencyMax = max(s.LatencyMax, st.LatencyMax)
		s.DelayedCalls += st.DelayedCalls
		s.Lost += st.Lost
		if st.PeakWindow > peak {
			peak, s.PeakWorker = st.PeakWindow, i
		}
		for _, e := range st.ErrorKinds {
			if i, ok := kinds[e.Kind]; ok {
				k := &s.ErrorKinds[i]
				k.Count += e.Count
				if e.FirstTime < k.FirstTime {
					k.FirstTime, k.Worker, k.Example = e.FirstTime, e.Worker, e.Example
				}
				continue
			}
			kinds[e.Kind] = len(s.ErrorKinds)
			s.ErrorKinds = append(s.ErrorKinds, e)
		}
		s.Violations = append(s.Violations, st.Violations...)
		s.ViolationCount += st.ViolationCount
		s.RecordBytes += logs[i].Bytes()
	}
	s.PeakWorkerRate = float64(peak) * 1e9 / float64(tr.RateWindowNs())
	slices.SortStableFunc(s.ErrorKinds, func(a, b ErrorCount) int {
		return cmp.Or(cmp.Compare(a.FirstTime, b.FirstTime), cmp.Compare(a.Worker, b.Worker), cmp.Compare(a.Kind, b.Kind))
	})
	slices.SortStableFunc(s.Violations, func(a, b OrderViolation) int {
		return cmp.Or(cmp.Compare(a.Time, b.Time), cmp.Compare(a.Worker, b.Worker))
	})
	return s
}

// ActiveIn lists the faults of acts acting on worker wk at true time t,
// in the order they were marked, each once.
func ActiveIn(acts []Activity, wk int, t int64) []string {
	var out []string
	for _, a := range acts {
		if a.Affects(wk, t) && !slices.Contains(out, a.Fault) {
			out = append(out, a.Fault)
		}
	}
	return out
}

// Buffered sums, over the workers that are up, the IDs their generators
// hold and have not issued: those of generators with a method
// Buffered() uint64 (range allocation).
func (w *World) Buffered() uint64 {
	var n uint64
	for _, wk := range w.workers {
		if b, ok := wk.gen.(Buffering); ok && !wk.down {
			n += b.Buffered()
		}
	}
	return n
}

// Logs returns every worker's record, in worker order.
func (w *World) Logs() []*record.Log {
	logs := make([]*record.Log, len(w.workers))
	for i, wk := range w.workers {
		logs[i] = wk.log
	}
	return logs
}

// Issue describes one issued ID as a finding reports it.
type Issue struct {
	Worker int
	// Index is the position of the ID among the worker's issued IDs.
	Index int64
	// Time is the true time it was issued at; Clock what the worker's
	// clock read then (Unix nanoseconds).
	Time  int64
	Clock int64
	// Identity is what the worker was configured as.
	Identity Identity
	// Faults are the faults acting on the worker then.
	Faults []string
}

// IssueAt describes the ID at position index of worker wk's log, issued
// at true time t.
func (w *World) IssueAt(wk int, index, t int64) Issue { return IssueIn(w, wk, index, t) }

// IssueIn describes the ID at position index of worker wk's log in a
// trace, issued at true time t.
func IssueIn(tr Trace, wk int, index, t int64) Issue {
	return Issue{
		Worker:   wk,
		Index:    index,
		Time:     t,
		Clock:    tr.ClockAt(wk, t),
		Identity: tr.IdentityAt(wk, t),
		Faults:   ActiveIn(tr.Activity(), wk, t),
	}
}

// DuplicateFinding is one extra copy of an ID with the original it
// repeats. For 128-bit IDs, ID is the low half and Hi the high one.
type DuplicateFinding struct {
	Hi       uint64
	ID       uint64
	Original Issue
	Copy     Issue
	// Faults is every fault acting on either worker at either moment.
	Faults []string
}

// ExplainDuplicates turns checker output into findings: one per extra
// copy, paired with the first issue of the ID, ordered by the copy's true
// time, then worker.
func (w *World) ExplainDuplicates(dups []check.Duplicate) []DuplicateFinding {
	return ExplainDuplicatesIn(w, dups)
}

// ExplainDuplicatesIn is ExplainDuplicates for any trace.
func ExplainDuplicatesIn(w Trace, dups []check.Duplicate) []DuplicateFinding {
	var out []DuplicateFinding
	for _, d := range dups {
		o := d.Occurrences[0]
		orig := IssueIn(w, o.Worker, o.Index, o.Time)
		for _, c := range d.Occurrences[1:] {
			cp := IssueIn(w, c.Worker, c.Index, c.Time)
			f := DuplicateFinding{Hi: d.Hi, ID: d.ID, Original: orig, Copy: cp}
			f.Faults = append(f.Faults, orig.Faults...)
			for _, name := range cp.Faults {
				if !slices.Contains(f.Faults, name) {
					f.Faults = append(f.Faults, name)
				}
			}
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(a, b DuplicateFinding) int {
		return cmp.Or(cmp.Compare(a.Copy.Time, b.Copy.Time), cmp.Compare(a.Copy.Worker, b.Copy.Worker), cmp.Compare(a.Copy.Index, b.Copy.Index))
	})
	return out
}
