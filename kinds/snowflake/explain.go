package snowflake

import (
	"fmt"
	"slices"
	"strings"
	"time"

	gen "github.com/idsim/idsim/generators/snowflake"
	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/reports"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/sim/coord"
)

// WorkerID says what node ID an issue ran under: the one a worker was
// configured with, or, when workers get their IDs from a coordinator,
// the one inside the ID.
func (s *Scheme) WorkerID(id sim.Identity, _, lo uint64) string {
	if s.assigned() {
		return s.fieldsOf(lo)
	}
	dc, w, err := s.sf.Fields(id)
	if err != nil {
		return fmt.Sprintf("invalid (%v)", err)
	}
	l := s.sf.Layout
	if l.Datacenter.Bits == 0 {
		return fmt.Sprintf("%s %d", l.WorkerName(), w)
	}
	return fmt.Sprintf("%s %d, %s %d", l.DatacenterName(), dc, l.WorkerName(), w)
}

// node returns the node number (datacenter and worker fields together)
// of an ID.
func (s *Scheme) node(id uint64) int64 {
	l := s.sf.Layout
	p, err := l.Decode(id)
	if err != nil {
		return -1
	}
	return p.Datacenter<<l.Worker.Bits | p.Worker
}

// fieldsOf names the node fields of an ID.
func (s *Scheme) fieldsOf(id uint64) string {
	l := s.sf.Layout
	dc, w, _ := l.SplitNode(s.node(id))
	if l.Datacenter.Bits == 0 {
		return fmt.Sprintf("%s %d", l.WorkerName(), w)
	}
	return fmt.Sprintf("%s %d, %s %d", l.DatacenterName(), dc, l.WorkerName(), w)
}

// ExplainGroup says why a group of duplicates happened: a clock back in
// the same tick, two workers configured alike, or two workers given the
// same ID by the coordinator.
func (s *Scheme) ExplainGroup(g *reports.DuplicateGroup, o *kind.Outcome) string {
	var b strings.Builder
	first := g.First
	plural := "s"
	if g.Count == 1 {
		plural = ""
	}
	switch {
	case g.OriginalWorker == g.CopyWorker:
		fmt.Fprintf(&b, "Worker %d (%s) issued %d ID%s it had already issued. The first repeat came at %s, when its clock read %s; it had issued that ID %v earlier, at %s, when its clock read %s",
			g.CopyWorker, first.Copy.WorkerID, g.Count, plural, first.Copy.At, first.Copy.Clock,
			time.Duration(first.Copy.AtNs-first.Original.AtNs), first.Original.At, first.Original.Clock)
		if first.Copy.ClockNs < first.Original.ClockNs {
			fmt.Fprintf(&b, ": its clock was back in the same %v tick.", s.sf.Layout.Unit)
		} else {
			fmt.Fprintf(&b, ", in the same %v tick, without its clock going back.", s.sf.Layout.Unit)
		}
	case s.assigned():
		node := s.node(*first.ID)
		fmt.Fprintf(&b, "Workers %d and %d both issued IDs under %s: %d duplicate%s, the first at %s. %s. %s.",
			g.OriginalWorker, g.CopyWorker, g.WorkerIDs[0], g.Count, plural, first.Copy.At,
			s.holdings(o).Explain(first.Original.Worker, node, first.Original.AtNs), s.holdings(o).Explain(first.Copy.Worker, node, first.Copy.AtNs))
	case g.WorkerIDs[0] == g.WorkerIDs[1]:
		fmt.Fprintf(&b, "Workers %d and %d were both configured as %s, so they issue the same ID whenever both use the same sequence number in the same tick: %d duplicate%s, the first at %s.",
			g.OriginalWorker, g.CopyWorker, g.WorkerIDs[0], g.Count, plural, first.Copy.At)
	default:
		fmt.Fprintf(&b, "Workers %d (%s) and %d (%s) issued %d identical ID%s although configured differently; the first at %s.",
			g.OriginalWorker, g.WorkerIDs[0], g.CopyWorker, g.WorkerIDs[1], g.Count, plural, first.Copy.At)
	}
	return b.String()
}

// GroupNote points at the ignore policy when a worker repeated itself.
func (s *Scheme) GroupNote(g *reports.DuplicateGroup) string {
	if g.OriginalWorker == g.CopyWorker && s.sf.OnBackward == gen.Ignore && s.variant == "" {
		return "Policy on_clock_backward: ignore issues IDs from a clock that went back instead of refusing or waiting."
	}
	return ""
}

// Blame adds, when workers get their IDs from the coordinator, the
// faults in force on a worker when it was given the ID and when its
// session expired before it issued — the pause that made a zombie, the
// restart that made a newcomer.
func (s *Scheme) Blame(d sim.DuplicateFinding, o *kind.Outcome) []string {
	if !s.assigned() {
		return nil
	}
	h := s.holdings(o)
	var found []string
	node := s.node(d.ID)
	for _, is := range []sim.Issue{d.Original, d.Copy} {
		found = append(found, h.Blame(is.Worker, node, is.Time)...)
	}
	return found
}

// holdings returns how workers came to hold their IDs: the run's own
// account, or the simulated coordinator's grants.
func (s *Scheme) holdings(o *kind.Outcome) kind.Holdings {
	if o.Holdings != nil {
		return o.Holdings
	}
	return coordHoldings{s: s, o: o}
}

// coordHoldings reads the simulated coordinator's grants.
type coordHoldings struct {
	s *Scheme
	o *kind.Outcome
}

// Blame lists the faults in force on the worker when it was given the
// ID and, if the session expired before t, when it expired.
func (h coordHoldings) Blame(worker int, node, t int64) []string {
	if h.o.Coordinator == nil {
		return nil
	}
	g := h.o.Coordinator.Holding(worker, node, t)
	if g == nil {
		return nil
	}
	out := h.o.ActiveAt(worker, g.At)
	if g.Expired >= 0 && g.Expired <= t {
		out = append(out, h.o.ActiveAt(worker, g.Expired)...)
	}
	return out
}

// Explain says how a worker came to hold the node ID it issued an ID
// under at true time t.
func (h coordHoldings) Explain(worker int, node, t int64) string {
	o, s := h.o, h.s
	if o.Coordinator == nil {
		return fmt.Sprintf("Worker %d had no coordinator", worker)
	}
	g := o.Coordinator.Holding(worker, node, t)
	if g == nil {
		return fmt.Sprintf("Worker %d was never given that ID", worker)
	}
	var how string
	switch g.Strategy {
	case coord.SequentialMod:
		space := s.sf.Layout.NodeBits()
		how = fmt.Sprintf("from ephemeral sequential node %d (%d mod %d = %d; nothing checks that a live session holds it)", g.Seq, g.Seq, int64(1)<<space, g.ID)
	case coord.LowestFree:
		how = "as the lowest ID no live session held"
	default:
		how = "from its configuration"
	}
	str := fmt.Sprintf("Worker %d was given it at %v by session %d, %s", worker, time.Duration(g.At), g.Session, how)
	if faults := o.ActiveAt(worker, g.At); len(faults) > 0 {
		str += fmt.Sprintf(" (%s in force)", strings.Join(faults, ", "))
	}
	if g.Expired >= 0 && g.Expired <= t {
		str += fmt.Sprintf("; that session expired at %v", time.Duration(g.Expired))
		if faults := o.ActiveAt(worker, g.Expired); len(faults) > 0 {
			str += fmt.Sprintf(", while %s held the worker (no renewals)", strings.Join(faults, ", "))
		}
		str += fmt.Sprintf(", yet at %v it was still issuing IDs under it", time.Duration(t))
		if s.ids.Fence {
			str += " although fenced"
		} else {
			str += ": nothing stopped it before a renewal's reply said the session was gone"
		}
	} else {
		str += "; its session was alive"
	}
	return str
}

// timeline samples, for up to three workers whose clocks a fault moved
// (or that restarted), the time inside their IDs against true time, from
// half a second before the first such fault to half a second after the
// last: 400 points per worker.
func timeline(o *kind.Outcome, l gen.Layout) []reports.WorkerTimeline {
	from, to := int64(-1), int64(0)
	var workers []int
	for _, a := range o.Trace.Activity() {
		if !o.TimelineFaults[a.Fault] {
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
	from, to = max(0, from-int64(500*time.Millisecond)), min(o.Duration, to+int64(500*time.Millisecond))
	slices.Sort(workers)
	var out []reports.WorkerTimeline
	for _, wk := range workers {
		var all [][2]int64
		o.Trace.Logs()[wk].Each(func(_ int64, id uint64, t int64) bool {
			if t >= from && t <= to {
				if p, err := l.Decode(id); err == nil {
					all = append(all, [2]int64{t, p.Time.UnixNano() - o.Start})
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
