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
	// take their time from the clock idsim sends.
	virtual, realTime int
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
	key := env.Worker
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
		p, err = start(s.command, s.env, s.dir, s.timeout)
		if err != nil {
			s.mu.Unlock()
			return sim.Instance{}, err
		}
		s.procs[key] = p
	}
	s.mu.Unlock()
	g := &generator{s: s, p: p, clock: env.Clock, node: fmt.Sprintf("n%d", env.Worker)}
	g.initErr = g.init(env)
	if g.initErr == nil && g.batch > 0 {
		return sim.Instance{Wide: &batchGenerator{generator: g}}, nil
	}
	return sim.Instance{Wide: g}, nil
}

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
func (s *Scheme) noteClock(uses bool) {
	s.mu.Lock()
	if uses {
		s.virtual++
	} else {
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
	if s.realTime > 0 {
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
