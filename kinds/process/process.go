// Package process is the process scheme kind: the generator is any
// program, spoken to in JSON lines on its stdin and stdout, compatible
// with Maelstrom's unique-ids workload, so that programs written for it
// run unchanged.
//
// Every line is {"src": "c0", "dest": "n3", "body": {...}}. A worker
// first sends {"type": "init", "msg_id": 1, "node_id": "n3", "node_ids":
// [...]} and waits for init_ok; then each call is {"type": "generate",
// "msg_id": N}, answered by {"type": "generate_ok", "in_reply_to": N,
// "id": ...} or by a Maelstrom error body {"type": "error", "code": 11,
// "text": "..."}, which counts as a refused call.
//
// Extensions, which a program may ignore: init also carries the worker's
// identity ("datacenter", "worker", "node"), and every generate carries
// the worker's virtual clock, "clock": {"unix_ns": ..., "mono_ns": ...}.
// A program that takes its time only from clock is deterministic under
// the seed and sees every clock fault. A restart kills the program and
// starts it again (its state is lost); a pause stops delivery.
package process

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/reports"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/spec"
)

// Kind is the process kind.
type Kind struct{}

// Name returns "process".
func (Kind) Name() string { return "process" }

// Summary says what the kind is.
func (Kind) Summary() string {
	return "any program, over JSON lines on stdin/stdout (Maelstrom's unique-ids protocol): command [argv...], env, dir (default: the scenario's directory), processes: per_worker (default) or one, timeout per reply (default 5s), ordered: true if the program promises increasing IDs; its init_ok may say uses_clock: true (it takes its time from the clock idsim sends) and batch: true (it answers generate_batch)"
}

// Keys lists the keys a process scheme takes.
func (Kind) Keys() []string {
	return []string{"command", "env", "dir", "processes", "timeout", "ordered"}
}

type config struct {
	Command   spec.TextList        `yaml:"command"`
	Env       map[string]spec.Text `yaml:"env"`
	Dir       spec.Text            `yaml:"dir"`
	Processes spec.Text            `yaml:"processes"`
	Timeout   spec.Duration        `yaml:"timeout"`
	Ordered   spec.Bool            `yaml:"ordered"`
}

// Parse validates a process scheme.
func (Kind) Parse(m *spec.Map, env kind.Env) (kind.Scheme, error) {
	var c config
	if err := m.Decode(&c); err != nil {
		return nil, err
	}
	if !c.Command.Set || len(c.Command.V) == 0 || c.Command.V[0] == "" {
		return nil, spec.Errorf(m.P, "scheme %q needs a command: the program and its arguments, e.g. command: [python3, gen.py]", env.Label)
	}
	s := &Scheme{
		command: slices.Clone(c.Command.V), dir: env.Dir, perWorker: true,
		timeout: 5 * time.Second, ordered: c.Ordered.V, workers: env.Workers,
	}
	if c.Dir.Set {
		s.dir = c.Dir.V
		if !filepath.IsAbs(s.dir) && env.Dir != "" {
			s.dir = filepath.Join(env.Dir, s.dir)
		}
	}
	keys := make([]string, 0, len(c.Env))
	for k := range c.Env {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			return nil, spec.Errorf(c.Env[k].P, "env: %q is not a variable name", k)
		}
		s.env = append(s.env, k+"="+c.Env[k].V)
	}
	if c.Processes.Set {
		switch c.Processes.V {
		case "per_worker":
		case "one":
			s.perWorker = false
		default:
			return nil, spec.Errorf(c.Processes.P, "processes: want per_worker (one program per worker) or one (one program for every worker); got %q", c.Processes.V)
		}
	}
	if c.Timeout.Set {
		if c.Timeout.V <= 0 {
			return nil, spec.Errorf(c.Timeout.P, "timeout must be positive")
		}
		s.timeout = c.Timeout.V
	}
	return s, nil
}

// Scheme is a validated process scheme. It keeps the programs it started
// and stops them when closed.
type Scheme struct {
	command   []string
	env       []string
	dir       string
	perWorker bool
	timeout   time.Duration
	ordered   bool
	workers   int

	mu     sync.Mutex
	procs  map[int]*proc // by worker; key -1 for processes: one
	format format        // how the first ID was written
	texts  map[[2]uint64]string
	// Programs started that did and did not say in init_ok that they
	// take their time from the clock idsim sends, and of the latter, how
	// many libfaketime gave clock faults to (live runs).
	virtual, realTime, faked int
}

// IDBits returns 128: a program's IDs are numbers, UUIDs, ULIDs or any
// JSON value, all kept in 128 bits.
func (*Scheme) IDBits() int { return 128 }

// Describe says what runs.
func (s *Scheme) Describe() string {
	d := "program " + strings.Join(s.command, " ")
	if !s.perWorker {
		d += ", one process for every worker"
	}
	return d
}

// Ordered reports whether the scheme says the program's IDs increase.
func (s *Scheme) Ordered() bool { return s.ordered }

// Text renders an ID as the program wrote it.
func (s *Scheme) Text(hi, lo uint64) string {
	s.mu.Lock()
	t, ok := s.texts[[2]uint64{hi, lo}]
	f := s.format
	s.mu.Unlock()
	if ok {
		return t
	}
	return f.text(hi, lo)
}

// Decode says how the program wrote the ID.
func (s *Scheme) Decode(hi, lo uint64) string {
	s.mu.Lock()
	_, isText := s.texts[[2]uint64{hi, lo}]
	f := s.format
	s.mu.Unlock()
	if isText {
		return "an ID the program wrote as text, compared by its canonical form"
	}
	return "an ID the program wrote as " + f.String()
}

// WorkerID names the node the program was started as.
func (s *Scheme) WorkerID(id sim.Identity, _, _ uint64) string {
	return fmt.Sprintf("datacenter %d, node %d", id.Datacenter, id.Node)
}

// NewGenerator starts the worker's program (killing the one a restart
// replaces) and initialises it.
func (s *Scheme) NewGenerator(env sim.Env) (sim.Instance, error) {
	g, err := s.open(env.Worker, env.Identity, env.Clock, append(os.Environ(), s.env...), false)
	if err != nil {
		return sim.Instance{}, err
	}
	return sim.Instance{Wide: g}, nil
}

// open starts the worker's program in the environment environ, or
// reuses the one every worker shares, and initialises it. faked says
// that libfaketime gives the program its clock faults (a live run).
func (s *Scheme) open(worker int, id sim.Identity, clk Clock, environ []string, faked bool) (sim.WideGenerator, error) {
	key := worker
	if !s.perWorker {
		key = -1
	}
	s.mu.Lock()
	if s.procs == nil {
		s.procs = map[int]*proc{}
	}
	p := s.procs[key]
	if s.perWorker && p != nil {
		p.kill() // a restart: the old process's state is lost with it
		p = nil
	}
	if p == nil {
		var err error
		p, err = start(s.command, environ, s.dir, s.timeout)
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		s.procs[key] = p
	}
	s.mu.Unlock()
	g := &generator{s: s, p: p, clock: clk, node: fmt.Sprintf("n%d", worker)}
	g.initErr = g.init(worker, id)
	if g.initErr != nil {
		return g, nil
	}
	s.noteClock(g.usesClock, faked)
	if g.batch > 0 {
		return &batchGenerator{generator: g}, nil
	}
	return g, nil
}

// LiveStart is how a live run (scenarios/live) starts a worker's
// program.
type LiveStart struct {
	Worker   int
	Identity sim.Identity
	// Clock is the worker's clock, sent with every call.
	Clock Clock
	// Env is added to the environment after the scheme's own env; the
	// variables named in Unset are not inherited from idsim's.
	Env   []string
	Unset []string
	// Faked says that Env sets libfaketime up to give the program its
	// clock faults, for the report.
	Faked bool
}

// Started is a worker's program, started and initialised for a live run.
type Started struct {
	// Gen makes its calls: a sim.BatchGenerator if the program takes
	// generate_batch. If init failed, every call returns why.
	Gen sim.WideGenerator
	// UsesClock is true if the program said in its init_ok that it
	// takes its time from the clock idsim sends.
	UsesClock bool
}

// StartLive starts the worker's program for a live run (killing the one
// a restart replaces; with processes: one, reusing the shared one) and
// initialises it.
func (s *Scheme) StartLive(st LiveStart) (Started, error) {
	var environ []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(st.Unset, k) {
			environ = append(environ, kv)
		}
	}
	environ = append(append(environ, s.env...), st.Env...)
	g, err := s.open(st.Worker, st.Identity, st.Clock, environ, st.Faked)
	if err != nil {
		return Started{}, err
	}
	out := Started{Gen: g}
	switch g := g.(type) {
	case *generator:
		out.UsesClock = g.initErr == nil && g.usesClock
	case *batchGenerator:
		out.UsesClock = g.usesClock
	}
	return out, nil
}

// Stop kills worker's program, as a crash does; with processes: one, the
// shared program keeps running.
func (s *Scheme) Stop(worker int) {
	if !s.perWorker {
		return
	}
	s.mu.Lock()
	p := s.procs[worker]
	s.mu.Unlock()
	if p != nil {
		p.kill()
	}
}

// Command returns the program and its arguments; Dir the directory it
// runs in; Env the variables the scheme sets (KEY=value); PerWorker
// whether each worker has its own program (processes: per_worker).
func (s *Scheme) Command() []string { return slices.Clone(s.command) }
func (s *Scheme) Dir() string       { return s.dir }
func (s *Scheme) Env() []string     { return slices.Clone(s.env) }
func (s *Scheme) PerWorker() bool   { return s.perWorker }

// Close stops every program the scheme started.
func (s *Scheme) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, p := range s.procs {
		p.kill()
		delete(s.procs, k)
	}
	return nil
}

var _ io.Closer = (*Scheme)(nil)

// remember keeps the text of an ID that has no compact form.
func (s *Scheme) remember(hi, lo uint64, text string) {
	s.mu.Lock()
	if s.texts == nil {
		s.texts = map[[2]uint64]string{}
	}
	s.texts[[2]uint64{hi, lo}] = text
	s.mu.Unlock()
}

// noteClock records whether a program said it takes its time from the
// clock idsim sends.
func (s *Scheme) noteClock(uses, faked bool) {
	s.mu.Lock()
	switch {
	case uses:
		s.virtual++
	case faked:
		s.realTime++
		s.faked++
	default:
		s.realTime++
	}
	s.mu.Unlock()
}

// Shared reports whether every worker talks to one program, whose state
// must then see the calls in true-time order (see sim.SharedScheme).
func (s *Scheme) Shared() bool { return !s.perWorker }

// Measure says, for programs that did not declare in init_ok that they
// take their time from the clock idsim sends, that they ran on real time.
func (s *Scheme) Measure(o *kind.Outcome, run *reports.Run) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.realTime > 0 && o.World == nil {
		// A live run.
		note := fmt.Sprintf("%d of %d program starts did not say (\"uses_clock\": true in init_ok) that they take their time from the clock idsim sends: they ran on the machine's clock, so these results are not reproducible from the seed", s.realTime, s.realTime+s.virtual)
		switch {
		case s.faked == s.realTime:
			note += "; libfaketime gave them the clock steps (their monotonic clock stayed real)."
		case s.faked > 0:
			note += fmt.Sprintf("; libfaketime gave %d of them the clock steps (their monotonic clock stayed real), the others saw no clock fault.", s.faked)
		default:
			note += ", and no clock fault reached them."
		}
		run.Notes = append(run.Notes, note)
	} else if s.realTime > 0 {
		run.Notes = append(run.Notes, fmt.Sprintf("%d of %d program starts did not say (\"uses_clock\": true in init_ok) that they take their time from the clock idsim sends: they ran on real time, so clock faults did not reach them and these results are not reproducible from the seed.", s.realTime, s.realTime+s.virtual))
	}
}

// noteFormat records how the first ID was written, for rendering IDs.
func (s *Scheme) noteFormat(f format) {
	s.mu.Lock()
	if s.format == unknownFormat {
		s.format = f
	}
	s.mu.Unlock()
}
