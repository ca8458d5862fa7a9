package live

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/idsim/idsim/generators/snowflake"
	"github.com/idsim/idsim/reports"
	"github.com/idsim/idsim/sim/check"
	"github.com/idsim/idsim/sim/record"
	"github.com/idsim/idsim/sim/schemes"
)

// report checks what the workers issued and fills in a run as `idsim
// run` does.
func (r *runner) report(ws []*worker, sf *schemes.Snowflake, ids *schemes.WorkerIDs) *reports.Run {
	s := r.s
	l := sf.Layout
	logs := make([]*record.Log, len(ws))
	run := &reports.Run{
		Scheme: s.Label, Kind: s.Kind, Config: s.Config + "; live", IDBits: 64,
		Layout: l.Name, Policy: sf.OnBackward.String(),
		CeilingPerWorker: l.CeilingPerWorker(), CeilingPerCluster: l.CeilingPerCluster(),
		Ordered:         true,
		ErrorKinds:      []reports.ErrorKind{},
		DuplicateGroups: []reports.DuplicateGroup{}, MonotonicFindings: []reports.MonotonicFinding{},
		Expectations: []reports.Expectation{},
	}
	if ids != nil {
		run.WorkerIDs = ids.Describe()
		if ids.UsesCoordinator() {
			run.WorkerIDs += "; etcd"
		}
	}
	window := int64(r.sc.RateWindow)
	for i, w := range ws {
		logs[i] = w.log
		st := &w.stats
		run.Offered += st.Offered
		run.Generated += st.Generated
		run.Errors += st.Errors
		run.Unserved += st.Unserved
		run.DelayedCalls += st.DelayedCalls
		run.LatencyMaxNs = max(run.LatencyMaxNs, st.LatencyMax)
		run.MonotonicViolations += int64(len(st.Violations))
		run.WorkerIDGrants += int64(len(w.holdings))
		for _, e := range st.ErrorKinds {
			k := slices.IndexFunc(run.ErrorKinds, func(x reports.ErrorKind) bool { return x.Kind == e.Kind })
			if k < 0 {
				run.ErrorKinds = append(run.ErrorKinds, reports.ErrorKind{Kind: e.Kind, Example: e.Example, FirstWorker: e.Worker,
					FirstAt: time.Duration(e.FirstTime).String(), FirstAtNs: e.FirstTime})
				k = len(run.ErrorKinds) - 1
			}
			run.ErrorKinds[k].Count += e.Count
		}
		// Peak rate over windows of the scenario's rate window.
		var winEnd, count, peak int64
		w.log.Each(func(_ int64, _ uint64, t int64) bool {
			if t >= winEnd {
				peak = max(peak, count)
				winEnd, count = (t/window+1)*window, 0
			}
			count++
			return true
		})
		if rate := float64(max(peak, count)) * 1e9 / float64(window); rate > run.PeakWorkerRate {
			run.PeakWorkerRate, run.PeakWorker = rate, w.idx
		}
		for _, v := range st.Violations {
			id, prev := v.ID, v.PrevID
			run.MonotonicFindings = append(run.MonotonicFindings, reports.MonotonicFinding{
				Worker: v.Worker, Index: v.Index, ID: &id, PrevID: &prev,
				IDText: strconv.FormatUint(id, 10), PrevIDText: strconv.FormatUint(prev, 10),
				At: time.Duration(v.Time).String(), AtNs: v.Time, Clock: clockOf(l, id),
				PrevAt: time.Duration(v.PrevTime).String(), PrevClock: clockOf(l, prev),
				Faults:      nonNil(r.faultsAt(v.Worker, v.Time)),
				Explanation: fmt.Sprintf("Worker %d issued %d at %v, not greater than the %d it issued before.", v.Worker, id, time.Duration(v.Time), prev),
			})
		}
	}
	run.OfferedPerSec = float64(run.Offered) / r.sc.Duration.Seconds()
	run.GeneratedPerSec = float64(run.Generated) / r.sc.Duration.Seconds()

	dups := check.Duplicates(logs)
	run.DuplicatedIDs = int64(len(dups))
	for _, d := range dups {
		o := d.Occurrences[0]
		for _, c := range d.Occurrences[1:] {
			run.DuplicateList = append(run.DuplicateList, r.duplicate(ws, l, d.ID, o, c))
		}
	}
	slices.SortStableFunc(run.DuplicateList, func(a, b reports.Duplicate) int {
		return cmp.Or(cmp.Compare(a.Copy.AtNs, b.Copy.AtNs), cmp.Compare(a.Copy.Worker, b.Copy.Worker))
	})
	run.Duplicates = int64(len(run.DuplicateList))
	run.DuplicateGroups = r.group(ws, run.DuplicateList)
	run.Passed = true
	for _, e := range s.Expect {
		got, ok := e.Evaluate(run, s, r.sc.RateWindow)
		run.Expectations = append(run.Expectations, reports.Expectation{Key: e.Key, Want: e.Want, Got: got, Passed: ok, Line: e.Line})
		run.Passed = run.Passed && ok
	}
	return run
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func clockOf(l snowflake.Layout, id uint64) string {
	p, err := l.Decode(id)
	if err != nil {
		return ""
	}
	return p.Time.UTC().Format(time.RFC3339Nano)
}

// faultsAt lists the faults acting on worker w at t — or that stopped
// acting less than a lease's time-to-live before, since a holder learns
// of a lost lease only that late — in scenario order.
func (r *runner) faultsAt(w int, t int64) []string {
	grace := int64(0)
	if ids := r.ids; ids != nil {
		grace = int64(ids.TTL)
	}
	var out []string
	for _, f := range r.sc.Faults {
		for _, sp := range r.plan.spans {
			if sp.Fault == f.ID && sp.Affects(w, sp.From) && t >= sp.From && t <= sp.To+grace {
				out = append(out, f.ID)
				break
			}
		}
	}
	return out
}

// struck reports whether fault began acting on worker w between from
// and to: for a worker repeating its own ID, the restart that made it
// forget.
func (r *runner) struck(fault string, w int, from, to int64) bool {
	for _, sp := range r.plan.spans {
		if sp.Fault == fault && sp.Affects(w, sp.From) && sp.From >= from && sp.From <= to {
			return true
		}
	}
	return false
}

// heldAt returns the holding under which worker w issued at t.
func heldAt(w *worker, t int64) *holding {
	for i := len(w.holdings) - 1; i >= 0; i-- {
		if w.holdings[i].at <= t {
			return &w.holdings[i]
		}
	}
	return nil
}

func (r *runner) issue(ws []*worker, l snowflake.Layout, id uint64, o check.Occurrence) reports.Issue {
	p, _ := l.Decode(id)
	wid := fmt.Sprintf("%s %d", l.WorkerName(), p.Worker)
	if l.Datacenter.Bits > 0 {
		wid = fmt.Sprintf("%s %d, %s", l.DatacenterName(), p.Datacenter, wid)
	}
	return reports.Issue{
		Worker: o.Worker, Index: o.Index,
		At: time.Duration(o.Time).String(), AtNs: o.Time,
		Clock: p.Time.UTC().Format(time.RFC3339Nano), ClockNs: p.Time.UnixNano(),
		WorkerID: wid, Faults: nonNil(r.faultsAt(o.Worker, o.Time)),
	}
}

func (r *runner) duplicate(ws []*worker, l snowflake.Layout, id uint64, o, c check.Occurrence) reports.Duplicate {
	d := reports.Duplicate{ID: &id, IDText: strconv.FormatUint(id, 10), Original: r.issue(ws, l, id, o), Copy: r.issue(ws, l, id, c)}
	if p, err := l.Decode(id); err == nil {
		d.Decoded = fmt.Sprintf("time %s, %s %d, %s %d", p.Time.UTC().Format(time.RFC3339Nano), l.WorkerName(), p.Worker, l.SequenceName(), p.Sequence)
	}
	for _, f := range r.sc.Faults {
		if slices.Contains(d.Original.Faults, f.ID) || slices.Contains(d.Copy.Faults, f.ID) || o.Worker == c.Worker && r.struck(f.ID, o.Worker, o.Time, c.Time) {
			d.Faults = append(d.Faults, f.ID)
		}
	}
	d.Faults = nonNil(d.Faults)
	return d
}

// group gathers duplicates by worker pair and faults, and explains each
// group from the workers' claims.
func (r *runner) group(ws []*worker, list []reports.Duplicate) []reports.DuplicateGroup {
	return reports.GroupDuplicates(list, func(g *reports.DuplicateGroup) string {
		var b strings.Builder
		fmt.Fprintf(&b, "Workers %d and %d both issued IDs under %s: %d duplicates, the first at %s.",
			g.OriginalWorker, g.CopyWorker, g.WorkerIDs[0], g.Count, g.First.Copy.At)
		for _, is := range []reports.Issue{g.First.Original, g.First.Copy} {
			if h := heldAt(ws[is.Worker], is.AtNs); h != nil {
				fmt.Fprintf(&b, " Worker %d got it at %v (%s", is.Worker, time.Duration(h.at), h.how)
				if h.lease != "" {
					fmt.Fprintf(&b, ", key %s", h.lease)
				}
				b.WriteString(")")
				if h.until >= 0 {
					fmt.Fprintf(&b, " and gave it up at %v", time.Duration(h.until))
				}
				b.WriteString(".")
			}
		}
		for _, id := range g.Faults {
			for _, f := range r.sc.Faults {
				if f.ID == id {
					fmt.Fprintf(&b, " In force: %s (%s).", id, f.Describe())
				}
			}
		}
		return b.String()
	})
}
