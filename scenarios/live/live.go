// Package live runs a scenario's Snowflake workers and programs (kind:
// process) for real: one goroutine per worker, the machine's clock
// (shifted per worker by a skewed clock adapter when the scenario steps
// clocks — the machine's clock itself is never touched; a program on
// real time gets the steps through libfaketime), worker IDs from a real
// etcd, and faults injected through failpoints. The IDs they issue go
// through the same checks as a simulated run and into the same
// results.json and report.md.
//
// A live run is not deterministic: it shows that the production code
// path — generators/workerid's etcd allocator and fence, the Snowflake
// generator, the user's own service — behaves as the simulator says it
// does.
package live

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pingcap/failpoint"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/idsim/idsim/faults"
	"github.com/idsim/idsim/generators/clock"
	"github.com/idsim/idsim/generators/snowflake"
	"github.com/idsim/idsim/generators/workerid"
	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/reports"
	"github.com/idsim/idsim/scenarios"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/sim/check"
	"github.com/idsim/idsim/sim/coord"
	"github.com/idsim/idsim/sim/record"
	"github.com/idsim/idsim/sim/schemes"
)

// Options adjust a live run.
type Options struct {
	// Endpoints are the etcd cluster's client URLs.
	Endpoints []string
	// TLS, when set, is the client's TLS configuration for an etcd
	// cluster that requires it; Username and Password authenticate.
	TLS                *tls.Config
	Username, Password string
	// Seed, when SeedSet, replaces the scenario's seed (it drives the
	// arrival times).
	Seed    uint64
	SeedSet bool
	// Progress, when set, is called before each scheme runs.
	Progress func(scheme string, i, n int)
}

// Faults lists the fault kinds a live run injects: those that implement
// faults.Live.
func Faults() []string {
	var out []string
	for _, k := range faults.Kinds() {
		if _, ok := k.Zero.(faults.Live); ok {
			out = append(out, k.Kind)
		}
	}
	return out
}

// Snowflaker is a scheme a live run can drive: it gives the settings of
// the production Snowflake generator and how workers get their worker
// IDs (nil: static, as configured).
type Snowflaker interface {
	Snowflake() (schemes.Snowflake, *schemes.WorkerIDs)
}

// Check reports why a scenario cannot run live, or nil.
func Check(sc *scenarios.Scenario) error {
	for _, f := range sc.Faults {
		if _, ok := f.Fault.(faults.Live); !ok {
			return fmt.Errorf("fault %s (line %d): live runs inject %s; %s runs in the simulator only", f.ID, f.Line, strings.Join(Faults(), ", "), f.Kind())
		}
	}
	for _, s := range sc.Schemes {
		if f, ok := s.Sim.(kind.Faulty); ok && f.Variant() != "" {
			return fmt.Errorf("scheme %s (line %d): faulty variant %s runs in the simulator only", s.Label, s.Line, f.Variant())
		}
		if ps, ok := s.Sim.(Program); ok {
			if err := checkProgram(sc, s, ps); err != nil {
				return err
			}
			continue
		}
		sf, ok := s.Sim.(Snowflaker)
		if !ok {
			return fmt.Errorf("scheme %s (line %d): live runs drive Snowflake workers and programs; %s runs in the simulator only", s.Label, s.Line, s.Kind)
		}
		if _, ids := sf.Snowflake(); ids != nil {
			switch {
			case ids.Strategy == coord.SequentialMod:
				return fmt.Errorf("scheme %s (line %d): worker_ids strategy ephemeral_sequential_mod runs in the simulator only", s.Label, s.Line)
			case ids.PersistLastTimestamp:
				return fmt.Errorf("scheme %s (line %d): persist_last_timestamp runs in the simulator only", s.Label, s.Line)
			case ids.Strategy != coord.Static && (ids.TTL%time.Second != 0 || ids.TTL < time.Second):
				return fmt.Errorf("scheme %s (line %d): etcd leases last whole seconds; ttl %v", s.Label, s.Line, ids.TTL)
			}
		}
	}
	return nil
}

// addSpans lists in res when the plan's faults act.
func addSpans(res *reports.Results, plan *plan) {
	for i := range res.Faults {
		for _, sp := range plan.spans {
			if sp.Fault == res.Faults[i].ID {
				res.Faults[i].Active = append(res.Faults[i].Active, reports.Span{
					From: time.Duration(sp.From).String(), To: time.Duration(sp.To).String(),
					FromNs: sp.From, ToNs: sp.To, Workers: sp.Workers,
				})
			}
		}
	}
}

// NeedsEtcd reports whether some scheme of a scenario that passes Check
// takes its worker IDs from a coordinator.
func NeedsEtcd(sc *scenarios.Scenario) bool {
	for _, s := range sc.Schemes {
		if sf, ok := s.Sim.(Snowflaker); ok {
			if _, ids := sf.Snowflake(); ids != nil && ids.Strategy != coord.Static {
				return true
			}
		}
	}
	return false
}

// Run runs every scheme of the scenario live, one after another, each
// for the scenario's duration in real time, and checks what they issued.
func Run(ctx context.Context, sc *scenarios.Scenario, opt Options) (*reports.Results, error) {
	if err := Check(sc); err != nil {
		return nil, err
	}
	seed := sc.Seed
	if opt.SeedSet {
		seed = opt.Seed
	}
	res := scenarios.NewResults(sc, seed, fmt.Sprintf("idsim live %s --seed %d", scenarios.Target(sc), seed))
	res.Live = true
	var cli *clientv3.Client
	for _, s := range sc.Schemes {
		sf, ok := s.Sim.(Snowflaker)
		if !ok {
			continue
		}
		if _, ids := sf.Snowflake(); ids != nil && ids.Strategy != coord.Static && cli == nil {
			c, err := clientv3.New(clientv3.Config{
				Endpoints: opt.Endpoints, DialTimeout: 5 * time.Second,
				TLS: opt.TLS, Username: opt.Username, Password: opt.Password,
				// One clear error instead of the client's JSON logs.
				Logger: zap.NewNop(),
			})
			if err != nil {
				return nil, fmt.Errorf("connecting to etcd at %s: %w", strings.Join(opt.Endpoints, ","), err)
			}
			defer c.Close()
			// The client connects lazily: ask once, so that an unreachable
			// or refusing cluster is one error now, not a timeout per
			// worker later.
			probe, cancel := context.WithTimeout(ctx, 5*time.Second)
			_, err = c.Get(probe, "/idsim/probe")
			cancel()
			if err != nil {
				return nil, fmt.Errorf("etcd at %s does not answer: %w", strings.Join(opt.Endpoints, ","), err)
			}
			cli = c
		}
	}
	plan := newPlan(sc, seed)
	addSpans(res, plan)
	for i, s := range sc.Schemes {
		if opt.Progress != nil {
			opt.Progress(s.Label, i, len(sc.Schemes))
		}
		// Live runs are real: a wall-clock stamp keeps this run's keys
		// apart from earlier runs' in a shared etcd cluster.
		r := &runner{sc: sc, s: s, plan: plan, cli: cli, seed: seed,
			prefix: fmt.Sprintf("/idsim/live/%s/%s/%d/", sc.Name, s.Label, time.Now().UnixNano())}
		if ps, ok := s.Sim.(Program); ok {
			r.ps = ps
		} else {
			sf, ids := s.Sim.(Snowflaker).Snowflake()
			r.sf, r.ids = &sf, ids
		}
		run, err := r.run(ctx)
		if err != nil {
			return nil, fmt.Errorf("scheme %s: %w", s.Label, err)
		}
		res.Passed = res.Passed && run.Passed
		res.Runs = append(res.Runs, *run)
	}
	return res, nil
}

// action is something that happens to a worker at a time.
type action struct {
	at    int64
	kind  int // crash, restart, step, pause
	by    int64
	until int64
}

const (
	actCrash = iota
	actRestart
	actStep
	actPause
)

// plan is the fault schedule turned into per-worker actions and the
// windows in which a worker's coordinator traffic is cut.
type plan struct {
	actions [][]action
	cut     [][][2]int64 // per worker: renewals are dropped and claims wait in these windows
	losses  [][]loss     // per worker: renewals lost at random
	delays  [][]window   // per worker: renewals delayed
	spans   []sim.Activity
	seed    uint64
}

// loss is a window in which each renewal is lost with probability p,
// drawn from the run's seeded stream for the fault and worker.
type loss struct {
	from, to int64
	p        float64
	mu       *sync.Mutex
	rng      *rand.Rand
}

// window is a span with an amount: a renewal sent in it waits by.
type window struct{ from, to, by int64 }

func newPlan(sc *scenarios.Scenario, seed uint64) *plan {
	p := &plan{actions: make([][]action, sc.Workers), cut: make([][][2]int64, sc.Workers),
		losses: make([][]loss, sc.Workers), delays: make([][]window, sc.Workers), seed: seed}
	for _, f := range sc.Faults {
		// Check has made sure every fault can act live.
		f.Fault.(faults.Live).Live(p, f.ID, sc.Workers)
		for _, sp := range f.Spans(f.ID, sc.Workers, int64(sc.Duration)) {
			// As the simulator marks them: workers in order.
			sp.Workers = slices.Sorted(slices.Values(sp.Workers))
			p.spans = append(p.spans, sp)
		}
	}
	for w := range p.actions {
		slices.SortStableFunc(p.actions[w], func(a, b action) int { return cmp.Compare(a.at, b.at) })
	}
	return p
}

// Pause stops worker w from from to to; a stopped process renews nothing
// either.
func (p *plan) Pause(w int, from, to int64) {
	p.actions[w] = append(p.actions[w], action{at: from, kind: actPause, until: to})
	p.cut[w] = append(p.cut[w], [2]int64{from, to})
}

// Crash crashes worker w at at and restarts it downtime later.
func (p *plan) Crash(w int, at, downtime int64) {
	p.actions[w] = append(p.actions[w], action{at: at, kind: actCrash}, action{at: at + downtime, kind: actRestart})
}

// StepClock moves worker w's clock by by at at.
func (p *plan) StepClock(w int, at, by int64) {
	p.actions[w] = append(p.actions[w], action{at: at, kind: actStep, by: by})
}

// CutCoordinator drops worker w's renewals and holds its claims.
func (p *plan) CutCoordinator(w int, from, to int64) {
	p.cut[w] = append(p.cut[w], [2]int64{from, to})
}

// LoseRenewals loses worker w's renewals with probability pr, drawn from
// the run's seeded stream for the fault and worker.
func (p *plan) LoseRenewals(w int, from, to int64, pr float64, stream string) {
	p.losses[w] = append(p.losses[w], loss{from: from, to: to, p: pr, mu: new(sync.Mutex),
		rng: rand.New(sim.Stream(p.seed, stream, uint64(w)))})
}

// DelayRenewals holds worker w's renewals back by by.
func (p *plan) DelayRenewals(w int, from, to, by int64) {
	p.delays[w] = append(p.delays[w], window{from, to, by})
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// cutAt reports whether worker w's coordinator traffic is cut at t, and
// until when.
func (p *plan) cutAt(w int, t int64) (bool, int64) {
	for _, c := range p.cut[w] {
		if t >= c[0] && t < c[1] {
			return true, c[1]
		}
	}
	return false, 0
}

// dropRenewal decides whether worker w's renewal at t is lost.
func (p *plan) dropRenewal(w int, t int64) bool {
	if cut, _ := p.cutAt(w, t); cut {
		return true
	}
	for _, l := range p.losses[w] {
		if t >= l.from && t < l.to {
			l.mu.Lock()
			lost := l.rng.Float64() < l.p
			l.mu.Unlock()
			if lost {
				return true
			}
		}
	}
	return false
}

// renewalDelay returns how long worker w's renewal at t is held back.
func (p *plan) renewalDelay(w int, t int64) time.Duration {
	var d int64
	for _, x := range p.delays[w] {
		if t >= x.from && t < x.to {
			d += x.by
		}
	}
	return time.Duration(d)
}

// skewed is a worker's clock: the machine's clock plus an offset that
// clock_step faults move.
type skewed struct {
	clock.System
	off atomic.Int64
}

// Now returns the machine's wall clock plus the offset.
func (c *skewed) Now() int64 { return c.System.Now() + c.off.Load() }

// holding is one incarnation's claim of a worker ID.
type holding struct {
	id        int64
	lease     string
	at, until int64 // since the start; until is -1 while held at the end
	how       string
}

// worker is one live worker.
type worker struct {
	idx      int
	clk      *skewed
	log      *record.Log
	gen      *snowflake.Generator
	prog     sim.WideGenerator // a program's (kind: process)
	tsFile   string            // the program's libfaketime timestamp file, or ""
	order128 check.Order128
	lease    *workerid.Lease
	down     bool
	gen0     int // incarnation
	holdings []holding
	stats    sim.WorkerStats
	order    check.Order
	lastT    int64
	steps    [][2]int64 // clock steps: since the start, by
}

type runner struct {
	sc     *scenarios.Scenario
	s      scenarios.Scheme
	sf     *schemes.Snowflake
	ids    *schemes.WorkerIDs
	ps     Program // set instead of sf for a program
	pr     *programs
	plan   *plan
	cli    *clientv3.Client
	seed   uint64
	prefix string
	start  int64 // monotonic
	wall0  int64 // the machine's wall clock at the start
	mono   clock.System
}

func (r *runner) since() int64 { return r.mono.Monotonic() - r.start }

func (r *runner) owner(w *worker) string {
	return fmt.Sprintf("%s/worker-%d/%d", r.s.Label, w.idx, w.gen0)
}

// run drives every worker for the scenario's duration.
func (r *runner) run(ctx context.Context) (*reports.Run, error) {
	sf := r.sf
	ids := r.ids
	owners := sync.Map{} // owner string → worker index
	// The failpoints fire as the fault plan says, with its seeded
	// streams deciding random losses.
	if err := failpoint.EnableCall(workerid.FailDropRenewal, func(owner string, drop *bool) {
		if w, ok := owners.Load(owner); ok {
			*drop = r.plan.dropRenewal(w.(int), r.since())
		}
	}); err != nil {
		return nil, err
	}
	defer failpoint.Disable(workerid.FailDropRenewal)
	if err := failpoint.EnableCall(workerid.FailDelayRenewal, func(owner string, delay *time.Duration) {
		if w, ok := owners.Load(owner); ok {
			*delay = r.plan.renewalDelay(w.(int), r.since())
		}
	}); err != nil {
		return nil, err
	}
	defer failpoint.Disable(workerid.FailDelayRenewal)
	ws := make([]*worker, r.sc.Workers)
	identities := r.sc.Identities()
	if r.ps != nil {
		pr, err := r.setUpPrograms()
		if err != nil {
			return nil, err
		}
		r.pr = pr
		defer pr.close(r.ps)
	}
	var wg sync.WaitGroup
	// The first worker error ends the run. (An atomic.Value would
	// panic on a second error of another concrete type.)
	var errMu sync.Mutex
	var firstErr error
	for i := range ws {
		w := &worker{idx: i, clk: &skewed{}, log: record.New(i)}
		if r.ps != nil {
			w.log = record.NewWide(i)
			w.tsFile = r.pr.file(i)
		}
		ws[i] = w
	}
	if r.ps != nil {
		// Programs start before the clock does: an interpreter's start
		// takes longer than a fault's timing can spare.
		errs := make([]error, len(ws))
		var sg sync.WaitGroup
		for i, w := range ws {
			sg.Go(func() { errs[i] = r.startProgram(w, identities[i]) })
		}
		sg.Wait()
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
	}
	r.start = r.mono.Monotonic()
	r.wall0 = r.mono.Now()
	for i, w := range ws {
		wg.Go(func() {
			if err := r.drive(ctx, w, identities[i], &owners); err != nil {
				errMu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				errMu.Unlock()
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return r.report(ws, sf, ids), nil
}

// drive runs one worker: serves its arrivals, applies its faults.
func (r *runner) drive(ctx context.Context, w *worker, id sim.Identity, owners *sync.Map) error {
	end := int64(r.sc.Duration)
	rng := rand.New(sim.Stream(r.seed, "arrivals", uint64(w.idx)))
	perSec := r.sc.Load.Rate.Float()
	gap := func() int64 {
		mean := 1e9 / perSec
		if r.sc.Load.Pattern == sim.Poisson {
			return int64(math.Ceil(rng.ExpFloat64() * mean))
		}
		return int64(mean)
	}
	next := gap()
	acts := r.plan.actions[w.idx]
	start := func() error {
		w.gen0++
		if r.ps != nil {
			if w.gen0 == 1 {
				return nil // started before the clock
			}
			return r.startProgram(w, id)
		}
		owner := r.owner(w)
		owners.Store(owner, w.idx)
		return r.startGenerator(ctx, w, id, owner)
	}
	if err := start(); err != nil {
		return err
	}
	defer func() {
		if w.lease != nil {
			w.lease.Close(context.Background(), true)
		}
	}()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		now := r.since()
		if now >= end {
			break
		}
		for len(acts) > 0 && acts[0].at <= now {
			a := acts[0]
			acts = acts[1:]
			switch a.kind {
			case actCrash:
				r.crash(w, now)
			case actRestart:
				if err := start(); err != nil {
					return err
				}
			case actStep:
				off := w.clk.off.Add(a.by)
				w.steps = append(w.steps, [2]int64{now, a.by})
				if w.tsFile != "" {
					// A program on real time reads it at its next time call.
					if err := writeOffset(w.tsFile, off); err != nil {
						return fmt.Errorf("worker %d: stepping its program's clock: %w", w.idx, err)
					}
				}
			case actPause:
				// Stop the world: nothing runs until the pause ends;
				// arrivals queue meanwhile (a program gets nothing).
				sleepUntil(ctx, r, min(a.until, end))
			}
		}
		if next > now {
			wake := next
			if len(acts) > 0 {
				wake = min(wake, acts[0].at)
			}
			sleepUntil(ctx, r, min(wake, end))
			continue
		}
		// Serve every arrival that is due.
		if r.ps != nil {
			var due []int64
			for next <= now && len(due) < sim.MaxBatch {
				due = append(due, next)
				next += gap()
			}
			r.serveProgram(w, due)
			continue
		}
		for next <= now {
			r.serve(ctx, w, next, id, owners)
			next += gap()
		}
	}
	// Arrivals due before the end that the loop had not reached yet
	// (it woke at or after the end) were waiting like any other caller:
	// serve them, late, rather than count them unserved.
	for next < end {
		if r.ps != nil {
			var due []int64
			for next < end && len(due) < sim.MaxBatch {
				due = append(due, next)
				next += gap()
			}
			r.serveProgram(w, due)
			continue
		}
		r.serve(ctx, w, next, id, owners)
		next += gap()
	}
	return nil
}

// sleepUntil sleeps until t since the start, or until ctx is done.
func sleepUntil(ctx context.Context, r *runner, t int64) {
	if d := t - r.since(); d > 0 {
		timer := time.NewTimer(time.Duration(d))
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-ctx.Done():
		}
	}
}

func (r *runner) crash(w *worker, now int64) {
	if r.ps != nil {
		// A crash kills the program: its state is lost.
		r.ps.Stop(w.idx)
		w.prog, w.down = nil, true
		return
	}
	if w.lease != nil {
		// A crashed process releases nothing: the lease runs out.
		w.lease.Close(context.Background(), false)
		w.lease = nil
	}
	r.endHolding(w, now)
	w.gen, w.down = nil, true
}

func (r *runner) endHolding(w *worker, now int64) {
	if n := len(w.holdings); n > 0 && w.holdings[n-1].until < 0 {
		w.holdings[n-1].until = now
	}
}

// startGenerator gets a worker ID (from etcd or the configuration) and
// builds the generator.
func (r *runner) startGenerator(ctx context.Context, w *worker, id sim.Identity, owner string) error {
	sf := r.sf
	ids := r.ids
	w.down = false
	if ids != nil && ids.StartupWait > 0 {
		time.Sleep(ids.StartupWait)
	}
	if ids == nil || ids.Strategy == coord.Static {
		dc, wk, err := sf.Fields(id)
		if err != nil {
			return err
		}
		w.holdings = append(w.holdings, holding{id: dc<<sf.Layout.Worker.Bits | wk, at: r.since(), until: -1, how: "configured"})
		return r.build(w, dc, wk)
	}
	// Claims wait while the worker is cut off from the coordinator.
	for {
		cut, until := r.plan.cutAt(w.idx, r.since())
		if !cut {
			break
		}
		sleepUntil(ctx, r, until)
	}
	lo, hi := schemes.Coordinated{Snowflake: *sf, IDs: *ids}.Range(id)
	cfg := workerid.EtcdConfig{
		Client: r.cli, Prefix: r.prefix, Lo: lo, Hi: hi,
		TTL: ids.TTL, Renew: ids.Heartbeat, Margin: ids.Margin, Unfenced: !ids.Fence,
		Owner: owner,
	}
	if !ids.Fence {
		cfg.Margin = 0
	}
	if cfg.Margin == 0 {
		cfg.Margin = time.Nanosecond // the allocator's zero means "default"
	}
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	l, err := workerid.Claim(c, cfg)
	if err != nil {
		return fmt.Errorf("worker %d: claiming a worker ID: %w", w.idx, err)
	}
	w.lease = l
	how := "lowest free ID, unfenced"
	if ids.Fence {
		how = fmt.Sprintf("lowest free ID, fenced %v before expiry", ids.Margin)
	}
	w.holdings = append(w.holdings, holding{id: l.ID(), lease: l.Key(), at: r.since(), until: -1, how: how})
	dc, wk, _ := sf.Layout.SplitNode(l.ID())
	return r.build(w, dc, wk)
}

func (r *runner) build(w *worker, dc, wk int64) error {
	sf := r.sf
	g, err := snowflake.New(snowflake.Config{
		Layout: sf.Layout, Datacenter: dc, Worker: wk,
		OnBackward: sf.OnBackward, MaxWait: sf.MaxWait,
	}, w.clk)
	w.gen = g
	return err
}

// serve handles one arrival that was due at arrived.
func (r *runner) serve(ctx context.Context, w *worker, arrived int64, id sim.Identity, owners *sync.Map) {
	w.stats.Offered++
	if w.down {
		r.fail(w, arrived, sim.ErrWorkerDown)
		return
	}
	if w.lease != nil {
		if err := w.lease.Check(ctx); err != nil {
			if errors.Is(err, workerid.ErrLeaseLost) {
				// Someone else may hold the ID now: drop it and claim
				// another before issuing anything more.
				now := r.since()
				w.lease.Close(context.Background(), false)
				w.lease = nil
				r.endHolding(w, now)
				w.gen0++
				owner := r.owner(w)
				owners.Store(owner, w.idx)
				if err := r.startGenerator(ctx, w, id, owner); err != nil {
					r.fail(w, arrived, err)
					w.gen = nil
					return
				}
			} else {
				r.fail(w, arrived, err)
				return
			}
		}
	}
	if w.gen == nil {
		r.fail(w, arrived, errors.New("no worker ID"))
		return
	}
	idv, err := w.gen.Next()
	now := r.since()
	w.latency(arrived, now)
	if err != nil {
		r.fail(w, now, err)
		return
	}
	prev, _ := w.order.Last()
	if !w.order.Next(idv) {
		w.stats.AddViolation(sim.OrderViolation{Worker: w.idx, Index: w.log.Len(), Time: now, ID: idv, PrevID: prev, PrevTime: w.lastT})
	}
	w.log.Append(idv, now)
	w.lastT = now
	w.stats.Generated++
}

func (r *runner) fail(w *worker, t int64, err error) {
	w.stats.Errors++
	kind := err.Error()
	for i := range w.stats.ErrorKinds {
		if w.stats.ErrorKinds[i].Kind == kind {
			w.stats.ErrorKinds[i].Count++
			return
		}
	}
	w.stats.ErrorKinds = append(w.stats.ErrorKinds, sim.ErrorCount{Kind: kind, Count: 1, FirstTime: t, Worker: w.idx, Example: err.Error()})
}

// latency counts the wait of a call that arrived at arrived and was
// answered at now; a call answered more than a millisecond late counts
// as delayed.
func (w *worker) latency(arrived, now int64) {
	if lat := now - arrived; lat > 0 {
		w.stats.LatencyTotal += lat
		w.stats.LatencyMax = max(w.stats.LatencyMax, lat)
		if lat > int64(time.Millisecond) {
			w.stats.DelayedCalls++
		}
	}
}
