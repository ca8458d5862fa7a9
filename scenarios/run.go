package scenarios

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/idsim/idsim/faults"
	"github.com/idsim/idsim/generators/faulty"
	"github.com/idsim/idsim/generators/snowflake"
	"github.com/idsim/idsim/generators/ulid"
	"github.com/idsim/idsim/generators/uuid"
	"github.com/idsim/idsim/reports"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/sim/check"
	"github.com/idsim/idsim/sim/coord"
	"github.com/idsim/idsim/sim/lincheck"
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
}

// Run runs every scheme of the scenario on the same workers, load and
// fault schedule, checks the results and evaluates the expectations.
func Run(sc *Scenario, opt Options) (*reports.Results, error) {
	seed := sc.Seed
	if opt.SeedSet {
		seed = opt.Seed
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
		run, w, err := runScheme(sc, s, seed, opt.Parallelism, res.Files)
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
func runScheme(sc *Scenario, s Scheme, seed uint64, par int, files map[string][]byte) (*reports.Run, *sim.World, error) {
	w, err := sim.New(sim.Config{
		Seed:        seed,
		Start:       sc.Start.UnixNano(),
		Duration:    int64(sc.Duration),
		Workers:     sc.Identities(),
		Load:        sc.Load,
		Scheme:      s.Sim,
		RateWindow:  int64(sc.RateWindow),
		Parallelism: par,
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
	sum := w.Summary()
	dups := check.Duplicates(w.Logs())
	order := check.Sort(w.Logs(), int64(time.Millisecond), int64(sc.Duration))
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
		MonotonicViolations: int64(len(sum.Violations)),
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
	ex := explainer{sc: sc, s: s, w: w}
	if c, ok := w.Service(coord.ServiceName).(*coord.Coordinator); ok {
		c.Expiry(int64(sc.Duration))
		ex.coord = c
		run.WorkerIDGrants = int64(len(c.Grants))
		run.CoordinatorRequests, run.CoordinatorDropped = c.Requests, c.Dropped
	}
	if s.WorkerIDs != nil {
		run.WorkerIDs = s.WorkerIDs.Describe()
	}

	if sf := s.Snowflake; sf != nil {
		run.Timeline = timeline(sc, w, sf.Layout)
		run.Layout, run.Policy = sf.Layout.Name, sf.OnBackward.String()
		run.CeilingPerWorker, run.CeilingPerCluster = sf.Layout.CeilingPerWorker(), sf.Layout.CeilingPerCluster()
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
	if s.Batch != nil || s.Kind == "tickets" {
		lin := lincheck.Check(schemes.Allocations(w), time.Minute)
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
				files[run.LinearizabilityFile] = html.Bytes()
			}
		} else if lin.Unknown {
			run.LinearizabilityViolation = "the check timed out in some window"
		}
	}
	if s.RandomBits > 0 {
		run.RandomBits = s.RandomBits
		if s.Kind == "uuidv4" {
			// The birthday bound: n IDs of b random bits hold about
			// n²/2^(b+1) colliding pairs. Exact in floating point: the
			// square is an integer and the divisor a power of two.
			n := float64(sum.Generated)
			run.BirthdayExpected = math.Ldexp(n*n, -(s.RandomBits + 1))
		}
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
	for _, d := range w.ExplainDuplicates(dups) {
		run.DuplicateList = append(run.DuplicateList, ex.duplicate(d))
	}
	run.Duplicates = int64(len(run.DuplicateList))
	run.DuplicateGroups = reports.GroupDuplicates(run.DuplicateList, ex.explainGroup)
	if s.Kind == "uuidv4" && s.RandomBits > 0 && s.RandomBits < 122 {
		run.Birthday = birthdayCurve(w, run.DuplicateList, s.RandomBits, int64(sc.Duration))
	}
	run.Ordered = s.Ordered
	if s.Ordered {
		for i, v := range sum.Violations {
			if i == reports.MaxMonotonicFindings {
				run.MonotonicFindingsOmitted = int64(len(sum.Violations) - i)
				break
			}
			run.MonotonicFindings = append(run.MonotonicFindings, ex.violation(w, v))
		}
	}
	run.Passed = true
	for _, e := range s.Expect {
		got, ok := e.Evaluate(run, s, sc.RateWindow)
		run.Expectations = append(run.Expectations, reports.Expectation{Key: e.Key, Want: e.Want, Got: got, Passed: ok, Line: e.Line})
		run.Passed = run.Passed && ok
	}
	return run, w, nil
}

// Evaluate checks the expectation against a run of scheme s: what the
// run shows, and whether the expectation holds.
func (e Expectation) Evaluate(r *reports.Run, s Scheme, window time.Duration) (got string, ok bool) {
	switch e.Key {
	case "unique":
		return fmt.Sprintf("%d duplicates", r.Duplicates), (r.Duplicates == 0) == e.boolean
	case "monotonic":
		return fmt.Sprintf("%d violations", r.MonotonicViolations), (r.MonotonicViolations == 0) == e.boolean
	case "linearizable":
		if r.Linearizable == nil {
			return "not checked", false
		}
		got := "linearizable"
		if !*r.Linearizable {
			got = "not linearizable: " + r.LinearizabilityViolation
		}
		return got, *r.Linearizable == e.boolean
	case "within_ceiling":
		// A window can overlap one tick more than it spans, so a worker
		// at the ceiling may show up to one tick's worth above it.
		// Validation allows within_ceiling only for Snowflake layouts.
		l := s.Snowflake.Layout
		limit := l.CeilingPerWorker() * (1 + float64(l.Unit)/float64(window))
		return fmt.Sprintf("peak %.0f IDs/s per worker, ceiling %.0f", r.PeakWorkerRate, l.CeilingPerWorker()), (r.PeakWorkerRate <= limit) == e.boolean
	}
	var n int64
	switch e.Key {
	case "duplicates":
		n = r.Duplicates
	case "monotonic_violations":
		n = r.MonotonicViolations
	case "errors":
		n = r.Errors
	case "generated":
		n = r.Generated
	case "unserved":
		n = r.Unserved
	case "delayed_calls":
		n = r.DelayedCalls
	case "late_ids":
		n = r.LateIDs
	case "gaps":
		n = r.Gaps
	}
	return fmt.Sprint(n), e.cmp.holds(n)
}

// explainer turns the simulator's findings into report entries.
type explainer struct {
	sc    *Scenario
	s     Scheme
	w     *sim.World
	coord *coord.Coordinator // nil without a coordinator
}

// assigned reports whether workers get their IDs from the coordinator
// rather than from their configuration.
func (x explainer) assigned() bool {
	return x.s.WorkerIDs != nil && x.s.WorkerIDs.Strategy != coord.Static
}

// workerID says what node ID a worker's generator was configured with.
func (x explainer) workerID(id sim.Identity) string {
	sf := x.s.Snowflake
	if sf == nil {
		return "none (the IDs carry no node field)"
	}
	dc, w, err := sf.Fields(id)
	if err != nil {
		return fmt.Sprintf("invalid (%v)", err)
	}
	l := sf.Layout
	if l.Datacenter.Bits == 0 {
		return fmt.Sprintf("%s %d", l.WorkerName(), w)
	}
	return fmt.Sprintf("%s %d, %s %d", l.DatacenterName(), dc, l.WorkerName(), w)
}

func (x explainer) issue(i sim.Issue, id uint64) reports.Issue {
	wid := x.workerID(i.Identity)
	if x.assigned() {
		wid = x.fieldsOf(id)
	}
	return reports.Issue{
		Worker:   i.Worker,
		Index:    i.Index,
		At:       time.Duration(i.Time).String(),
		AtNs:     i.Time,
		Clock:    clockString(i.Clock),
		ClockNs:  i.Clock,
		WorkerID: wid,
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

// text renders an ID as people write it: a decimal number, a UUID or a
// ULID.
func (x explainer) text(hi, lo uint64) string {
	switch x.s.Kind {
	case "uuidv4", "uuidv7":
		return uuid.FromHiLo(hi, lo).String()
	case "ulid":
		return ulid.FromHiLo(hi, lo).String()
	}
	return strconv.FormatUint(lo, 10)
}

// decode says what the fields of an ID hold.
func (x explainer) decode(hi, lo uint64) string {
	switch x.s.Kind {
	case "uuidv4":
		return "version 4, random"
	case "uuidv7":
		u := uuid.FromHiLo(hi, lo)
		t, _ := u.Time()
		return fmt.Sprintf("version 7, time %s, sub-millisecond fraction %d/4096", t.Format(time.RFC3339Nano), hi&0xFFF)
	case "ulid":
		return fmt.Sprintf("time %s", ulid.FromHiLo(hi, lo).Time().Format(time.RFC3339Nano))
	case "rangebatch", "autoinc":
		return "a value of the shared sequence"
	case "tickets":
		return fmt.Sprintf("a ticket of server %d of %d", (lo-1)%uint64(x.s.Sim.(schemes.Tickets).Servers)+1, x.s.Sim.(schemes.Tickets).Servers)
	}
	l := x.s.Snowflake.Layout
	p, err := l.Decode(lo)
	if err != nil {
		return err.Error()
	}
	d := fmt.Sprintf("time %s", p.Time.Format(time.RFC3339Nano))
	if l.Datacenter.Bits > 0 {
		d += fmt.Sprintf(", %s %d", l.DatacenterName(), p.Datacenter)
	}
	return d + fmt.Sprintf(", %s %d, %s %d", l.WorkerName(), p.Worker, l.SequenceName(), p.Sequence)
}

func (x explainer) duplicate(d sim.DuplicateFinding) reports.Duplicate {
	r := reports.Duplicate{
		IDText:   x.text(d.Hi, d.ID),
		Decoded:  x.decode(d.Hi, d.ID),
		Original: x.issue(d.Original, d.ID),
		Copy:     x.issue(d.Copy, d.ID),
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

// explainGroup says in words why the duplicates of a group happened.
func (x explainer) explainGroup(g *reports.DuplicateGroup) string {
	var b strings.Builder
	first := g.First
	plural := "s"
	if g.Count == 1 {
		plural = ""
	}
	sf := x.s.Snowflake
	if g.OriginalWorker == g.CopyWorker {
		fmt.Fprintf(&b, "Worker %d (%s) issued %d ID%s it had already issued. The first repeat came at %s, when its clock read %s; it had issued that ID %v earlier, at %s, when its clock read %s",
			g.CopyWorker, first.Copy.WorkerID, g.Count, plural, first.Copy.At, first.Copy.Clock,
			time.Duration(first.Copy.AtNs-first.Original.AtNs), first.Original.At, first.Original.Clock)
		if sf != nil && first.Copy.ClockNs < first.Original.ClockNs {
			fmt.Fprintf(&b, ": its clock was back in the same %v tick.", sf.Layout.Unit)
		} else if sf != nil {
			fmt.Fprintf(&b, ", in the same %v tick, without its clock going back.", sf.Layout.Unit)
		} else {
			b.WriteString(".")
		}
	} else if sf == nil && x.s.RandomBits == 0 {
		fmt.Fprintf(&b, "Workers %d and %d were handed the same value by the shared allocator: %d duplicate%s, the first at %s (worker %d at %s, worker %d at %s).",
			g.OriginalWorker, g.CopyWorker, g.Count, plural, first.Copy.At, first.Original.Worker, first.Original.At, first.Copy.Worker, first.Copy.At)
	} else if sf == nil {
		fmt.Fprintf(&b, "Workers %d and %d drew the same random bits: %d duplicate%s, the first at %s (worker %d at %s, worker %d at %s).",
			g.OriginalWorker, g.CopyWorker, g.Count, plural, first.Copy.At, first.Original.Worker, first.Original.At, first.Copy.Worker, first.Copy.At)
		if x.s.RandomBits > 0 {
			fmt.Fprintf(&b, " The IDs carry %d random bits.", x.s.RandomBits)
		}
	} else if x.assigned() {
		node := x.node(*first.ID)
		fmt.Fprintf(&b, "Workers %d and %d both issued IDs under %s: %d duplicate%s, the first at %s. %s. %s.",
			g.OriginalWorker, g.CopyWorker, g.WorkerIDs[0], g.Count, plural, first.Copy.At,
			x.holding(first.Original.Worker, node, first.Original.AtNs), x.holding(first.Copy.Worker, node, first.Copy.AtNs))
	} else if g.WorkerIDs[0] == g.WorkerIDs[1] {
		fmt.Fprintf(&b, "Workers %d and %d were both configured as %s, so they issue the same ID whenever both use the same sequence number in the same tick: %d duplicate%s, the first at %s.",
			g.OriginalWorker, g.CopyWorker, g.WorkerIDs[0], g.Count, plural, first.Copy.At)
	} else {
		fmt.Fprintf(&b, "Workers %d (%s) and %d (%s) issued %d identical ID%s although configured differently; the first at %s.",
			g.OriginalWorker, g.WorkerIDs[0], g.CopyWorker, g.WorkerIDs[1], g.Count, plural, first.Copy.At)
	}
	if len(g.Faults) == 0 {
		b.WriteString(" No fault was in force.")
	}
	for _, id := range g.Faults {
		if f := x.fault(id); f != nil {
			fmt.Fprintf(&b, " In force: %s (%s).", id, f.Describe())
		}
	}
	if why, ok := faulty.Why[x.s.Variant]; ok {
		b.WriteString(" " + why)
	}
	if g.OriginalWorker == g.CopyWorker && sf != nil && sf.OnBackward == snowflake.Ignore && x.s.Variant == "" {
		b.WriteString(" Policy on_clock_backward: ignore issues IDs from a clock that went back instead of refusing or waiting.")
	}
	return b.String()
}

func (x explainer) violation(w *sim.World, v sim.OrderViolation) reports.MonotonicFinding {
	wk := w.Workers()[v.Worker]
	now, prev := wk.Clock().ReadingAt(v.Time), wk.Clock().ReadingAt(v.PrevTime)
	f := reports.MonotonicFinding{
		Worker: v.Worker, Index: v.Index,
		At: time.Duration(v.Time).String(), AtNs: v.Time, Clock: clockString(now),
		PrevAt: time.Duration(v.PrevTime).String(), PrevClock: clockString(prev),
		Faults: nonNil(w.ActiveAt(v.Worker, v.Time)),
	}
	rel := "not greater than"
	if v.Hi < v.PrevHi || v.Hi == v.PrevHi && v.ID < v.PrevID {
		rel = "less than"
	}
	f.IDText, f.PrevIDText = x.text(v.Hi, v.ID), x.text(v.PrevHi, v.PrevID)
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
	if why, ok := faulty.Why[x.s.Variant]; ok {
		f.Explanation += " " + why
	}
	for _, id := range f.Faults {
		if flt := x.fault(id); flt != nil {
			f.Explanation += fmt.Sprintf(" In force: %s (%s).", id, flt.Describe())
		}
	}
	return f
}

// node returns the node number (datacenter and worker fields together)
// of a Snowflake ID.
func (x explainer) node(id uint64) int64 {
	l := x.s.Snowflake.Layout
	p, err := l.Decode(id)
	if err != nil {
		return -1
	}
	return p.Datacenter<<l.Worker.Bits | p.Worker
}

// fieldsOf names the node fields of a Snowflake ID.
func (x explainer) fieldsOf(id uint64) string {
	l := x.s.Snowflake.Layout
	dc, w, _ := l.SplitNode(x.node(id))
	if l.Datacenter.Bits == 0 {
		return fmt.Sprintf("%s %d", l.WorkerName(), w)
	}
	return fmt.Sprintf("%s %d, %s %d", l.DatacenterName(), dc, l.WorkerName(), w)
}

// blame lists the faults behind a duplicate: those in force at either
// issue; for a worker repeating its own ID, those that struck it between
// the two issues (a restart that lost its memory); and, when workers get their IDs from the coordinator, those in
// force on a worker when it was given the ID and when its session
// expired before it issued — the pause that made a zombie, the restart
// that made a newcomer. Faults keep the order of the scenario.
func (x explainer) blame(d sim.DuplicateFinding) []string {
	found := slices.Clone(d.Faults)
	if d.Original.Worker == d.Copy.Worker {
		for _, a := range x.w.Activity() {
			if a.From >= d.Original.Time && a.From <= d.Copy.Time && a.Affects(d.Copy.Worker, a.From) {
				found = append(found, a.Fault)
			}
		}
	}
	if x.coord != nil && x.assigned() {
		node := x.node(d.ID)
		for _, is := range []sim.Issue{d.Original, d.Copy} {
			g := x.coord.Holding(is.Worker, node, is.Time)
			if g == nil {
				continue
			}
			found = append(found, x.w.ActiveAt(is.Worker, g.At)...)
			if g.Expired >= 0 && g.Expired <= is.Time {
				found = append(found, x.w.ActiveAt(is.Worker, g.Expired)...)
			}
		}
	}
	var out []string
	for _, f := range x.sc.Faults {
		if slices.Contains(found, f.ID) {
			out = append(out, f.ID)
		}
	}
	return out
}

// holding says how a worker came to hold the node ID it issued an ID
// under at true time t.
func (x explainer) holding(worker int, node, t int64) string {
	if x.coord == nil {
		return fmt.Sprintf("Worker %d had no coordinator", worker)
	}
	g := x.coord.Holding(worker, node, t)
	if g == nil {
		return fmt.Sprintf("Worker %d was never given that ID", worker)
	}
	var how string
	switch g.Strategy {
	case coord.SequentialMod:
		space := x.s.Snowflake.Layout.NodeBits()
		how = fmt.Sprintf("from ephemeral sequential node %d (%d mod %d = %d; nothing checks that a live session holds it)", g.Seq, g.Seq, int64(1)<<space, g.ID)
	case coord.LowestFree:
		how = "as the lowest ID no live session held"
	default:
		how = "from its configuration"
	}
	s := fmt.Sprintf("Worker %d was given it at %v by session %d, %s", worker, time.Duration(g.At), g.Session, how)
	if faults := x.w.ActiveAt(worker, g.At); len(faults) > 0 {
		s += fmt.Sprintf(" (%s in force)", strings.Join(faults, ", "))
	}
	if g.Expired >= 0 && g.Expired <= t {
		s += fmt.Sprintf("; that session expired at %v", time.Duration(g.Expired))
		if faults := x.w.ActiveAt(worker, g.Expired); len(faults) > 0 {
			s += fmt.Sprintf(", while %s held the worker (no renewals)", strings.Join(faults, ", "))
		}
		s += fmt.Sprintf(", yet at %v it was still issuing IDs under it", time.Duration(t))
		if x.s.WorkerIDs.Fence {
			s += " although fenced"
		} else {
			s += ": nothing stopped it before a renewal's reply said the session was gone"
		}
	} else {
		s += "; its session was alive"
	}
	return s
}

// timeline samples, for up to three workers whose clocks a fault moved
// (or that restarted), the time inside their IDs against true time, from
// half a second before the first such fault to half a second after the
// last: 400 points per worker.
func timeline(sc *Scenario, w *sim.World, l snowflake.Layout) []reports.WorkerTimeline {
	from, to := int64(-1), int64(0)
	var workers []int
	for _, a := range w.Activity() {
		f := faultByID(sc, a.Fault)
		switch f.(type) {
		case faults.ClockStep, faults.ClockDrift, faults.ClockFreeze, faults.Restart:
		default:
			continue
		}
		if from < 0 || a.From < from {
			from = a.From
		}
		to = max(to, a.To)
		for _, wk := range a.Workers {
			if !slices.Contains(workers, wk) && len(workers) < 3 {
				workers = append(workers, wk)
			}
		}
	}
	if from < 0 || len(workers) == 0 {
		return nil
	}
	from, to = max(0, from-int64(500*time.Millisecond)), min(int64(sc.Duration), to+int64(500*time.Millisecond))
	slices.Sort(workers)
	start := sc.Start.UnixNano()
	var out []reports.WorkerTimeline
	for _, wk := range workers {
		var all [][2]int64
		w.Workers()[wk].Log().Each(func(_ int64, id uint64, t int64) bool {
			if t >= from && t <= to {
				if p, err := l.Decode(id); err == nil {
					all = append(all, [2]int64{t, p.Time.UnixNano() - start})
				}
			}
			return t <= to
		})
		step := max(1, len(all)/400)
		tl := reports.WorkerTimeline{Worker: wk, Points: [][2]int64{}}
		for i := 0; i < len(all); i += step {
			tl.Points = append(tl.Points, all[i])
		}
		out = append(out, tl)
	}
	return out
}

func faultByID(sc *Scenario, id string) faults.Fault {
	for _, f := range sc.Faults {
		if f.ID == id {
			return f.Fault
		}
	}
	return nil
}

// birthdayCurve measures, at 20 moments of the run, the duplicates so far
// beside the birthday bound for the IDs issued so far.
func birthdayCurve(w *sim.World, dups []reports.Duplicate, bits int, duration int64) []reports.BirthdayPoint {
	const points = 20
	var issued [points + 1]int64
	for _, l := range w.Logs() {
		l.Each(func(_ int64, _ uint64, t int64) bool {
			issued[min(points, t*points/duration+1)]++
			return true
		})
	}
	var seen [points + 1]int64
	for _, d := range dups {
		seen[min(points, d.Copy.AtNs*points/duration+1)]++
	}
	var out []reports.BirthdayPoint
	var n, m int64
	for k := 1; k <= points; k++ {
		n += issued[k]
		m += seen[k]
		f := float64(n)
		out = append(out, reports.BirthdayPoint{IDs: n, Measured: m, Expected: math.Ldexp(f*f, -(bits + 1))})
	}
	return out
}
