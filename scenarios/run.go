package scenarios

import (
	"bytes"
	"fmt"
	"io"
	"math"

	"slices"

	"strings"
	"time"

	"github.com/idsim/idsim/faults"
	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/reports"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/sim/check"
	"github.com/idsim/idsim/sim/coord"
	"github.com/idsim/idsim/sim/lincheck"
	"github.com/idsim/idsim/sim/record"
	"github.com/idsim/idsim/sim/schemes"
)

// Options adjust a run.
type Options struct {
	// Seed, when SeedSet, replaces the scenario's seed.
	Seed    uint64
	SeedSet bool
	// Parallelism caps the goroutines the simulator uses; zero means
	// GOMAXPROCS. It never changes the results.
	Parallelism int
	// Progress, when set, is called before each scheme runs.
	Progress func(scheme string, i, n int)
	// MaxMemory is the memory, in bytes, a run may need; zero means
	// DefaultBudget. A scenario that would need more is refused with a
	// *BudgetError before anything runs. The record of a run spills to
	// disk when it would hold more than RecordShare of it in memory.
	MaxMemory float64
	// TempDir is where a record spills to; "" is the system's temporary
	// directory.
	TempDir string

	// recordBudget, when positive, replaces the record's share of the
	// budget (tests: force the record to spill); spilled, when set,
	// adds up the bytes spilled.
	recordBudget int64
	spilled      *int64
}

// Run runs every scheme of the scenario on the same workers, load and
// fault schedule, checks the results and evaluates the expectations.
func Run(sc *Scenario, opt Options) (*reports.Results, error) {
	seed := sc.Seed
	if opt.SeedSet {
		seed = opt.Seed
	}
	budget := opt.MaxMemory
	if budget == 0 {
		budget = DefaultBudget()
	}
	if e := sc.Estimate(); e.Bytes() > budget {
		if need, _ := e.Need(budget); need > budget {
			return nil, &BudgetError{Scenario: sc.Name, Estimate: e, Budget: budget}
		}
	}
	spillAt := int64(0) // the record's budget; 0: never spill
	if !math.IsInf(budget, 1) {
		spillAt = int64(budget * RecordShare)
	}
	if opt.recordBudget > 0 {
		spillAt = opt.recordBudget
	}
	res := NewResults(sc, seed, fmt.Sprintf("idsim run %s --seed %d", replayTarget(sc), seed))
	seen := map[string]bool{} // fault activity spans already listed
	for i, s := range sc.Schemes {
		if opt.Progress != nil {
			opt.Progress(s.Label, i, len(sc.Schemes))
		}
		if res.Files == nil {
			res.Files = map[string][]byte{}
		}
		var spill *record.Spill
		if spillAt > 0 {
			spill = record.NewSpill(spillAt, opt.TempDir)
		}
		run, w, err := runScheme(sc, s, seed, opt.Parallelism, spill, res.Files)
		if opt.spilled != nil {
			*opt.spilled += spill.Size()
		}
		if cerr := spill.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("closing the file the record spilled to: %w", cerr)
		}
		if err != nil {
			return nil, fmt.Errorf("scenario %s, scheme %s: %w", sc.Name, s.Label, err)
		}
		// Faults act the same on every scheme, but some apply only to some
		// (a database outage): gather their activity from all runs.
		for _, a := range w.Activity() {
			for k := range res.Faults {
				f := &res.Faults[k]
				if f.ID != a.Fault {
					continue
				}
				span := reports.Span{
					From: time.Duration(a.From).String(), To: time.Duration(a.To).String(),
					FromNs: a.From, ToNs: a.To, Workers: a.Workers,
				}
				if key := fmt.Sprint(f.ID, a.From, a.To, a.Workers); !seen[key] {
					seen[key] = true
					f.Active = append(f.Active, span)
				}
			}
		}
		res.Passed = res.Passed && run.Passed
		res.Runs = append(res.Runs, *run)
	}
	return res, nil
}

// NewResults starts the results of a scenario run with seed: everything
// but the runs. replay is the command that repeats the run.
func NewResults(sc *Scenario, seed uint64, replay string) *reports.Results {
	res := &reports.Results{
		Scenario:    sc.Name,
		Description: sc.Description,
		File:        sc.File,
		Seed:        seed,
		Passed:      true,
		Replay:      replay,
		Start:       sc.Start.Format(time.RFC3339Nano),
		Duration:    sc.Duration.String(),
		DurationNs:  int64(sc.Duration),
		RateWindow:  sc.RateWindow.String(),
		Workers:     sc.Workers,
		Datacenters: sc.Datacenters,
		Load: reports.Load{
			PerWorker:       sc.Load.Rate.String(),
			PerWorkerPerSec: sc.Load.Rate.Float(),
			Pattern:         sc.Load.Pattern.String(),
		},
		Faults: []reports.Fault{},
		Runs:   []reports.Run{},
	}
	for _, f := range sc.Faults {
		res.Faults = append(res.Faults, reports.Fault{ID: f.ID, Kind: f.Kind(), Description: f.Describe(), Line: f.Line, Active: []reports.Span{}})
	}
	return res
}

// Target returns how a command names the scenario: its shipped name, or
// its file.
func Target(sc *Scenario) string { return replayTarget(sc) }

func replayTarget(sc *Scenario) string {
	if name, ok := strings.CutPrefix(sc.File, "embedded:"); ok {
		return strings.TrimSuffix(name, ".yaml")
	}
	return sc.File
}

// runScheme simulates one scheme and turns what happened into a report.
func runScheme(sc *Scenario, s Scheme, seed uint64, par int, spill *record.Spill, files map[string][]byte) (*reports.Run, *sim.World, error) {
	if c, ok := s.Sim.(io.Closer); ok {
		defer c.Close() // programs a process scheme started
	}
	w, err := sim.New(sim.Config{
		Seed:        seed,
		Start:       sc.Start.UnixNano(),
		Duration:    int64(sc.Duration),
		Workers:     sc.Identities(),
		Load:        sc.Load,
		Scheme:      s.Sim,
		RateWindow:  int64(sc.RateWindow),
		Parallelism: par,
		Spill:       spill,
	})
	if err != nil {
		return nil, nil, err
	}
	for _, f := range sc.Faults {
		if err := f.Schedule(w, f.ID); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", f.ID, err)
		}
	}
	if err := w.Run(); err != nil {
		return nil, nil, err
	}
	o := &kind.Outcome{Trace: w, World: w, Start: sc.Start.UnixNano(), Duration: int64(sc.Duration), Files: files}
	if c, ok := w.Service(coord.ServiceName).(*coord.Coordinator); ok {
		c.Expiry(int64(sc.Duration))
		o.Coordinator = c
	}
	run := Report(sc, s, o, func(run *reports.Run, sum sim.Summary) { services(run, sum, w, s, o) })
	if err := spill.Err(); err != nil {
		return nil, nil, err // what was read back is wrong
	}
	return run, w, nil
}

// services fills in what the simulated world's services saw: the
// coordinator's grants, the database's round trips and gaps, and the
// linearizability of a central allocator's history.
func services(run *reports.Run, sum sim.Summary, w *sim.World, s Scheme, o *kind.Outcome) {
	if c := o.Coordinator; c != nil {
		run.WorkerIDGrants = int64(len(c.Grants))
		run.CoordinatorRequests, run.CoordinatorDropped = c.Requests, c.Dropped
	}
	if db, ok := w.Service(schemes.DatabaseService).(*schemes.SequenceDB); ok {
		run.RoundTrips, run.Allocated, run.Refused = int64(db.Requests), int64(db.Allocated), int64(db.Refused)
		for k := 2; ; k++ { // the other ticket servers
			more, ok := w.Service(fmt.Sprintf("%s-%d", schemes.DatabaseService, k)).(*schemes.SequenceDB)
			if !ok {
				break
			}
			run.RoundTrips, run.Allocated, run.Refused = run.RoundTrips+int64(more.Requests), run.Allocated+int64(more.Allocated), run.Refused+int64(more.Refused)
		}
		run.BufferedAtEnd = int64(w.Buffered())
		run.Gaps = sum.Lost
		run.InFlightAtEnd = run.Allocated - sum.Generated - run.BufferedAtEnd - run.Gaps
	}
	if a, ok := s.Sim.(kind.Allocator); ok {
		lin := lincheck.Check(a.Allocations(w), time.Minute)
		ok := lin.Linearizable && !lin.Unknown
		run.Linearizable, run.LinearizabilityOps, run.LinearizabilityWindows = &ok, lin.Ops, lin.Windows
		if !lin.Linearizable {
			run.LinearizabilityViolation = lin.Overlap()
			var notes []lincheck.Annotation
			for _, a := range w.Activity() {
				notes = append(notes, lincheck.Annotation{Tag: "faults", Text: a.Fault, Start: a.From, End: a.To})
			}
			var html bytes.Buffer
			if err := lin.Visualize(&html, notes); err == nil {
				run.LinearizabilityFile = "linearizability-" + s.Label + ".html"
				o.Files[run.LinearizabilityFile] = html.Bytes()
			}
		} else if lin.Unknown {
			run.LinearizabilityViolation = "the check timed out in some window"
		}
	}
}

// Report turns what a backend recorded of scheme s — the simulator's
// world or a live run's workers, as o.Trace — into the scheme's run:
// counts, order, duplicates and violations explained and blamed,
// the scheme's own measures, and the expectations evaluated. backend,
// when set, adds what only that backend measures (given the trace's
// totals), before the explanations.
func Report(sc *Scenario, s Scheme, o *kind.Outcome, backend func(*reports.Run, sim.Summary)) *reports.Run {
	tr := o.Trace
	sum := sim.Summarize(tr)
	dups := check.Duplicates(tr.Logs())
	order := check.Sort(tr.Logs(), int64(time.Millisecond), int64(sc.Duration))
	run := &reports.Run{
		Scheme:              s.Label,
		Kind:                s.Kind,
		Config:              s.Config,
		IDBits:              s.IDBits,
		Offered:             sum.Offered,
		Generated:           sum.Generated,
		Errors:              sum.Errors,
		Unserved:            sum.Unserved,
		DuplicatedIDs:       int64(len(dups)),
		MonotonicViolations: sum.ViolationCount,
		WaitTotalNs:         sum.WaitTotal,
		WaitMaxNs:           sum.WaitMax,
		WaitedCalls:         sum.WaitedCalls,
		LatencyMaxNs:        sum.LatencyMax,
		DelayedCalls:        sum.DelayedCalls,
		PeakWorkerRate:      sum.PeakWorkerRate,
		PeakWorker:          sum.PeakWorker,
		RecordBytes:         sum.RecordBytes,
		OfferedPerSec:       float64(sum.Offered) / sc.Duration.Seconds(),
		GeneratedPerSec:     float64(sum.Generated) / sc.Duration.Seconds(),
		SortWindowNs:        order.Window,
		LateIDs:             order.Late,
		LatenessP50Ns:       order.P50,
		LatenessP99Ns:       order.P99,
		MaxLatenessNs:       order.MaxLateness,
		ErrorKinds:          []reports.ErrorKind{},
		DuplicateGroups:     []reports.DuplicateGroup{},
		MonotonicFindings:   []reports.MonotonicFinding{},
		Expectations:        []reports.Expectation{},
	}
	o.TimelineFaults = map[string]bool{}
	for _, f := range sc.Faults {
		if _, ok := f.Fault.(faults.MovesClocks); ok {
			o.TimelineFaults[f.ID] = true
		}
	}
	ex := explainer{sc: sc, s: s, o: o}
	if backend != nil {
		backend(run, sum)
	}
	if r, ok := s.Sim.(kind.Random); ok {
		run.RandomBits = r.RandomBits()
	}
	if done := sum.Generated + sum.Errors; done > 0 {
		run.LatencyMeanNs = float64(sum.LatencyTotal) / float64(done)
	}
	for _, e := range sum.ErrorKinds {
		run.ErrorKinds = append(run.ErrorKinds, reports.ErrorKind{
			Kind: e.Kind, Count: e.Count, Example: e.Example, FirstWorker: e.Worker,
			FirstAt: time.Duration(e.FirstTime).String(), FirstAtNs: e.FirstTime,
		})
	}
	for _, d := range sim.ExplainDuplicatesIn(tr, dups) {
		run.DuplicateList = append(run.DuplicateList, ex.duplicate(d))
	}
	run.Duplicates = int64(len(run.DuplicateList))
	run.DuplicateGroups = reports.GroupDuplicates(run.DuplicateList, ex.explainGroup)
	if m, ok := s.Sim.(kind.Measurer); ok {
		m.Measure(o, run)
	}
	run.Ordered = s.Ordered
	if s.Ordered {
		for i, v := range sum.Violations {
			if i == reports.MaxMonotonicFindings {
				run.MonotonicFindingsOmitted = sum.ViolationCount - int64(i)
				break
			}
			run.MonotonicFindings = append(run.MonotonicFindings, ex.violation(v))
		}
	}
	run.Passed = true
	for _, e := range s.Expect {
		got, ok := e.Evaluate(run, s, sc.RateWindow)
		run.Expectations = append(run.Expectations, reports.Expectation{Key: e.Key, Want: e.Want, Got: got, Passed: ok, Line: e.Line})
		run.Passed = run.Passed && ok
	}
	return run
}

// explainer turns the simulator's findings into report entries.
type explainer struct {
	sc *Scenario
	s  Scheme
	o  *kind.Outcome
}

// workerID says what worker ID an issue ran under.
func (x explainer) workerID(id sim.Identity, hi, lo uint64) string {
	if k, ok := x.s.Sim.(kind.WorkerIDer); ok {
		return k.WorkerID(id, hi, lo)
	}
	return "none (the IDs carry no node field)"
}

func (x explainer) issue(i sim.Issue, hi, lo uint64) reports.Issue {
	return reports.Issue{
		Worker:   i.Worker,
		Index:    i.Index,
		At:       time.Duration(i.Time).String(),
		AtNs:     i.Time,
		Clock:    clockString(i.Clock),
		ClockNs:  i.Clock,
		WorkerID: x.workerID(i.Identity, hi, lo),
		Faults:   nonNil(i.Faults),
	}
}

func clockString(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// why is the sentence naming a faulty variant's bug, or empty.
func (x explainer) why() string {
	if f, ok := x.s.Sim.(kind.Faulty); ok {
		return f.Why()
	}
	return ""
}

func (x explainer) duplicate(d sim.DuplicateFinding) reports.Duplicate {
	r := reports.Duplicate{
		IDText:   x.s.Sim.Text(d.Hi, d.ID),
		Decoded:  x.s.Sim.Decode(d.Hi, d.ID),
		Original: x.issue(d.Original, d.Hi, d.ID),
		Copy:     x.issue(d.Copy, d.Hi, d.ID),
		Faults:   nonNil(x.blame(d)),
	}
	if x.s.IDBits == 64 {
		id := d.ID
		r.ID = &id
	}
	return r
}

func (x explainer) fault(id string) faults.Fault {
	for _, f := range x.sc.Faults {
		if f.ID == id {
			return f.Fault
		}
	}
	return nil
}

// explainGroup says in words why the duplicates of a group happened: the
// scheme's own sentence, or the harness's, then the faults in force and
// what the scheme adds.
func (x explainer) explainGroup(g *reports.DuplicateGroup) string {
	var b strings.Builder
	if e, ok := x.s.Sim.(kind.GroupExplainer); ok {
		b.WriteString(e.ExplainGroup(g, x.o))
	}
	if b.Len() == 0 {
		first := g.First
		plural := "s"
		if g.Count == 1 {
			plural = ""
		}
		if g.OriginalWorker == g.CopyWorker {
			fmt.Fprintf(&b, "Worker %d (%s) issued %d ID%s it had already issued. The first repeat came at %s, when its clock read %s; it had issued that ID %v earlier, at %s, when its clock read %s.",
				g.CopyWorker, first.Copy.WorkerID, g.Count, plural, first.Copy.At, first.Copy.Clock,
				time.Duration(first.Copy.AtNs-first.Original.AtNs), first.Original.At, first.Original.Clock)
		} else {
			fmt.Fprintf(&b, "Workers %d and %d issued the same ID%s: %d duplicate%s, the first at %s (worker %d at %s, worker %d at %s).",
				g.OriginalWorker, g.CopyWorker, plural, g.Count, plural, first.Copy.At, first.Original.Worker, first.Original.At, first.Copy.Worker, first.Copy.At)
		}
	}
	if len(g.Faults) == 0 {
		b.WriteString(" No fault was in force.")
	}
	for _, id := range g.Faults {
		if f := x.fault(id); f != nil {
			fmt.Fprintf(&b, " In force: %s (%s).", id, f.Describe())
		}
	}
	if why := x.why(); why != "" {
		b.WriteString(" " + why)
	}
	if n, ok := x.s.Sim.(kind.GroupNoter); ok {
		if note := n.GroupNote(g); note != "" {
			b.WriteString(" " + note)
		}
	}
	return b.String()
}

func (x explainer) violation(v sim.OrderViolation) reports.MonotonicFinding {
	tr := x.o.Trace
	now, prev := tr.ClockAt(v.Worker, v.Time), tr.ClockAt(v.Worker, v.PrevTime)
	f := reports.MonotonicFinding{
		Worker: v.Worker, Index: v.Index,
		At: time.Duration(v.Time).String(), AtNs: v.Time, Clock: clockString(now),
		PrevAt: time.Duration(v.PrevTime).String(), PrevClock: clockString(prev),
		Faults: nonNil(x.o.ActiveAt(v.Worker, v.Time)),
	}
	rel := "not greater than"
	if v.Hi < v.PrevHi || v.Hi == v.PrevHi && v.ID < v.PrevID {
		rel = "less than"
	}
	f.IDText, f.PrevIDText = x.s.Sim.Text(v.Hi, v.ID), x.s.Sim.Text(v.PrevHi, v.PrevID)
	if x.s.IDBits == 64 {
		id, prev := v.ID, v.PrevID
		f.ID, f.PrevID = &id, &prev
	}
	f.Explanation = fmt.Sprintf("Worker %d issued %s at %s (clock %s), %s the %s it issued at %s (clock %s)",
		v.Worker, f.IDText, f.At, f.Clock, rel, f.PrevIDText, f.PrevAt, f.PrevClock)
	if now < prev {
		f.Explanation += fmt.Sprintf("; its clock had gone back by %v", time.Duration(prev-now))
	}
	f.Explanation += "."
	if why := x.why(); why != "" {
		f.Explanation += " " + why
	}
	for _, id := range f.Faults {
		if flt := x.fault(id); flt != nil {
			f.Explanation += fmt.Sprintf(" In force: %s (%s).", id, flt.Describe())
		}
	}
	return f
}

// blame lists the faults behind a duplicate: those in force at either
// issue; for a worker repeating its own ID, those that struck it between
// the two issues (a restart that lost its memory); and those the scheme
// adds (kind.Blamer). Faults keep the order of the scenario.
func (x explainer) blame(d sim.DuplicateFinding) []string {
	found := slices.Clone(d.Faults)
	if d.Original.Worker == d.Copy.Worker {
		for _, a := range x.o.Trace.Activity() {
			if a.From >= d.Original.Time && a.From <= d.Copy.Time && a.Affects(d.Copy.Worker, a.From) {
				found = append(found, a.Fault)
			}
		}
	}
	if b, ok := x.s.Sim.(kind.Blamer); ok {
		found = append(found, b.Blame(d, x.o)...)
	}
	var out []string
	for _, f := range x.sc.Faults {
		if slices.Contains(found, f.ID) {
			out = append(out, f.ID)
		}
	}
	return out
}
