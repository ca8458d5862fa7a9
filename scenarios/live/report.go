package live

import (
	"fmt"
	"time"

	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/reports"
	"github.com/idsim/idsim/scenarios"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/sim/record"
	"github.com/idsim/idsim/sim/schemes"
)

// report checks what the workers issued and builds the run with the
// simulator's own report code (scenarios.Report), from a trace of the
// live workers.
func (r *runner) report(ws []*worker, sf *schemes.Snowflake, ids *schemes.WorkerIDs) *reports.Run {
	tr := &trace{r: r, ws: ws, ids: r.sc.Identities()}
	window := int64(r.sc.RateWindow)
	for _, w := range ws {
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
		w.stats.PeakWindow = max(peak, count)
	}
	o := &kind.Outcome{Trace: tr, Start: r.wall0, Duration: int64(r.sc.Duration), Files: map[string][]byte{}}
	if ids != nil && ids.UsesCoordinator() {
		o.Holdings = holdings{r: r, ws: ws}
	}
	run := scenarios.Report(r.sc, r.s, o, nil)
	run.Config += "; live"
	if r.pr != nil {
		run.Notes = append(run.Notes, r.pr.notes...)
	}
	if ids != nil && ids.UsesCoordinator() {
		run.WorkerIDs += "; etcd"
	}
	for _, w := range ws {
		run.WorkerIDGrants += int64(len(w.holdings))
	}
	return run
}

// trace is a live run's record, as the simulator's report code reads it.
type trace struct {
	r   *runner
	ws  []*worker
	ids []sim.Identity
}

func (t *trace) Logs() []*record.Log {
	out := make([]*record.Log, len(t.ws))
	for i, w := range t.ws {
		out[i] = w.log
	}
	return out
}

func (t *trace) Stats() []*sim.WorkerStats {
	out := make([]*sim.WorkerStats, len(t.ws))
	for i, w := range t.ws {
		out[i] = &w.stats
	}
	return out
}

func (t *trace) RateWindowNs() int64                    { return int64(t.r.sc.RateWindow) }
func (t *trace) Activity() []sim.Activity               { return t.r.plan.spans }
func (t *trace) IdentityAt(w int, _ int64) sim.Identity { return t.ids[w] }

// ClockAt is the worker's skewed clock at t: the machine's wall clock at
// the start, plus t, plus the clock steps applied by then.
func (t *trace) ClockAt(w int, at int64) int64 {
	c := t.r.wall0 + at
	for _, s := range t.ws[w].steps {
		if s[0] <= at {
			c += s[1]
		}
	}
	return c
}

// holdings tells how live workers came to hold their worker IDs: their
// etcd claims.
type holdings struct {
	r  *runner
	ws []*worker
}

// Explain names the claim a worker issued under.
func (h holdings) Explain(worker int, _, t int64) string {
	c := heldAt(h.ws[worker], t)
	if c == nil {
		return fmt.Sprintf("Worker %d held no worker ID then", worker)
	}
	s := fmt.Sprintf("Worker %d got it at %v (%s", worker, time.Duration(c.at), c.how)
	if c.lease != "" {
		s += ", key " + c.lease
	}
	s += ")"
	if c.until >= 0 {
		s += fmt.Sprintf(" and gave it up at %v", time.Duration(c.until))
	}
	return s
}

// Blame lists the faults that acted on the worker up to a lease's
// time-to-live before t, or since its claim: a holder learns of a lost
// lease only that late.
func (h holdings) Blame(worker int, _, t int64) []string {
	return h.r.faultsAt(worker, t)
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

// heldAt returns the holding under which worker w issued at t.
func heldAt(w *worker, t int64) *holding {
	for i := len(w.holdings) - 1; i >= 0; i-- {
		if w.holdings[i].at <= t {
			return &w.holdings[i]
		}
	}
	return nil
}
