// Package scenarios reads scenario files — the YAML that says which
// schemes to compare, on how many workers, under what load and faults, and
// what to expect — validates them, runs them on the simulator, and ships
// a set of scenarios embedded in the binary.
//
// A scenario file is decoded strictly: unknown keys, values of the wrong
// type and impossible values are errors reported as
// "file:line:column: message" with the offending line.
package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"
	"github.com/idsim/idsim/expect"
	"github.com/idsim/idsim/faults"
	"github.com/idsim/idsim/kind"
	_ "github.com/idsim/idsim/kinds" // the shipped scheme kinds
	"github.com/idsim/idsim/reports"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/spec"
)

// Scenario is a validated scenario.
type Scenario struct {
	Name        string
	Description string
	// File is where the scenario came from: a path, or
	// "embedded:NAME.yaml".
	File        string
	Seed        uint64
	Start       time.Time
	Duration    time.Duration
	RateWindow  time.Duration
	Workers     int
	Datacenters []string
	Load        sim.Load
	// LoadAt is where the per-worker rate is written.
	LoadAt spec.Pos
	// Network is the one-way latency to shared services (the database of
	// rangebatch and autoinc).
	Network sim.Latency
	Schemes []Scheme
	Faults  []Fault
}

// Scheme is one scheme under test.
type Scheme struct {
	Label string
	Kind  string
	Line  int
	// Config describes the scheme's settings in one line.
	Config string
	// IDBits is 64 or 128.
	IDBits int
	// Ordered is true when the scheme promises that each generator's IDs
	// strictly increase; out-of-order IDs are then findings to explain,
	// and otherwise only counted.
	Ordered bool
	// Sim is the validated scheme of its kind: the simulator runs it, and
	// the reports ask it about its IDs.
	Sim    kind.Scheme
	Expect []Expectation
}

// Fault is an entry of the fault schedule.
type Fault struct {
	// ID names the fault in findings, e.g. "clock_step#1".
	ID   string
	Line int
	// Col is the column the fault's entry starts at.
	Col int
	faults.Fault
}

// Expectation is one expected property of a run.
type Expectation struct {
	// Key is the expectation's name in the file, e.g. "duplicates".
	Key  string
	Want string
	Line int

	kind expect.Kind
	want expect.Want
}

// Evaluate checks the expectation against a run of scheme s: what the
// run shows, and whether the expectation holds.
func (e Expectation) Evaluate(r *reports.Run, s Scheme, window time.Duration) (got string, ok bool) {
	return e.kind.Eval(r, s.Sim, window, e.want)
}

// Identities returns the identity of each worker: datacenters are
// assigned round-robin, and a worker's node is its number within its
// datacenter.
func (s *Scenario) Identities() []sim.Identity {
	ndc := max(1, len(s.Datacenters))
	ids := make([]sim.Identity, s.Workers)
	for i := range ids {
		ids[i] = sim.Identity{Datacenter: i % ndc, Node: i / ndc}
	}
	return ids
}

// Error is a problem with a scenario file, at a place in it.
type Error struct {
	File      string
	Line, Col int
	Msg       string
	// Source is the offending line of the file, if known.
	Source string
}

// Error renders "file:line:col: message", then the offending line with a
// caret under the column.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	if e.Source != "" {
		fmt.Fprintf(&b, "\n%5d | %s\n      | %s^", e.Line, e.Source, caretPad(e.Source, e.Col))
	}
	return b.String()
}

// caretPad returns the blanks (keeping tabs) that put a caret under
// column col of line.
func caretPad(line string, col int) string {
	var b strings.Builder
	for i, r := range []rune(line) {
		if i >= col-1 {
			break
		}
		if r == '\t' {
			b.WriteRune('\t')
		} else {
			b.WriteRune(' ')
		}
	}
	return b.String()
}

// Parse reads and validates a scenario. file names the source in errors
// and results. Errors are *Error.
func Parse(file string, src []byte) (*Scenario, error) {
	// A UTF-8 byte order mark, as some editors write, is not YAML.
	src = bytes.TrimPrefix(src, []byte("\ufeff"))
	spec, err := decode(src)
	if err == nil {
		var sc *Scenario
		if sc, err = validate(spec, dirOf(file)); err == nil {
			sc.File = file
			return sc, nil
		}
	}
	return nil, locate(file, src, err)
}

// decode parses the YAML strictly into the spec.
func decode(src []byte) (*fileSpec, error) {
	if len(bytes.TrimSpace(src)) == 0 {
		return nil, errAt(pos{Line: 1, Col: 1}, "empty scenario file")
	}
	if err := checkDepth(src); err != nil {
		return nil, err
	}
	f, err := parser.ParseBytes(src, 0)
	if err != nil {
		return nil, err
	}
	if len(f.Docs) != 1 {
		return nil, errAt(pos{Line: 1, Col: 1}, "a scenario file holds one YAML document, found %d", len(f.Docs))
	}
	body := f.Docs[0].Body
	if body == nil {
		return nil, errAt(pos{Line: 1, Col: 1}, "empty scenario file")
	}
	if _, err := mapping(body, "a scenario"); err != nil {
		return nil, err
	}
	var spec fileSpec
	if err := yaml.NodeToValue(body, &spec, yaml.Strict()); err != nil {
		return nil, err
	}
	return &spec, nil
}

// locate turns a decoding or validation error into an *Error with the
// file, position and source line.
func locate(file string, src []byte, err error) error {
	e := &Error{File: file, Line: 1, Col: 1, Msg: err.Error()}
	var pe *posError
	var ye yaml.Error
	switch {
	case errors.As(err, &pe):
		e.Line, e.Col, e.Msg = pe.At.Line, pe.At.Col, pe.Msg
	case errors.As(err, &ye):
		if tk := ye.GetToken(); tk != nil {
			e.Line, e.Col = tk.Position.Line, tk.Position.Column
		}
		e.Msg = ye.GetMessage()
		var uf *yaml.UnknownFieldError
		if errors.As(err, &uf) && uf.Token != nil {
			if s := suggest(uf.Token.Value); s != "" {
				e.Msg += fmt.Sprintf(" (did you mean %s?)", s)
			}
		}
	}
	lines := strings.Split(string(src), "\n")
	if e.Line >= 1 && e.Line <= len(lines) {
		e.Source = strings.TrimRight(lines[e.Line-1], "\r")
	}
	return e
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// Limits on what a scenario may ask for, so that a typo cannot make the
// simulator try to hold more IDs than the machine has memory for.
const (
	maxWorkers  = 100_000
	maxDuration = 24 * time.Hour
)

// DefaultStart is what every worker's clock reads when a run starts,
// unless the scenario says otherwise.
var DefaultStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// dirOf is the directory relative paths in a scenario file are resolved
// against: the file's own, or none for a shipped scenario.
func dirOf(file string) string {
	if strings.HasPrefix(file, "embedded:") {
		return ""
	}
	return filepath.Dir(file)
}

// validate checks the spec and builds the scenario; dir is where the
// file is.
func validate(f *fileSpec, dir string) (*Scenario, error) {
	sc := &Scenario{
		Name:        f.Name.V,
		Description: strings.TrimSpace(f.Description.V),
		Seed:        1,
		Start:       DefaultStart,
		Duration:    f.Duration.V,
		RateWindow:  100 * time.Millisecond,
	}
	if len(f.Description.V) > MaxDescription {
		return nil, errAt(f.Description.P, "the description is %d bytes; at most %d", len(f.Description.V), MaxDescription)
	}
	if n := len(f.Schemes.V); n > MaxSchemes {
		return nil, errAt(f.Schemes.P, "%d schemes; a scenario compares at most %d", n, MaxSchemes)
	}
	if n := len(f.Faults.V); n > MaxFaults {
		return nil, errAt(f.Faults.P, "%d faults; a scenario schedules at most %d", n, MaxFaults)
	}
	if !f.Name.Set {
		return nil, errAt(pos{Line: 1, Col: 1}, "missing name: every scenario needs a name (lower case letters, digits, '.', '_', '-')")
	}
	if !nameRE.MatchString(sc.Name) {
		return nil, errAt(f.Name.P, "name %q: use lower case letters, digits, '.', '_' and '-', starting with a letter or digit", sc.Name)
	}
	if f.Seed.Set {
		if f.Seed.V < 0 {
			return nil, errAt(f.Seed.P, "seed must not be negative")
		}
		sc.Seed = uint64(f.Seed.V)
	}
	if f.Start.Set {
		sc.Start = f.Start.V
		if y := sc.Start.Year(); y < 1970 || y > 2200 {
			return nil, errAt(f.Start.P, "start %s is outside 1970..2200", sc.Start.Format(time.RFC3339))
		}
	}
	if !f.Duration.Set {
		return nil, errAt(pos{Line: 1, Col: 1}, "missing duration: how long the run lasts in virtual time, e.g. duration: 10s")
	}
	if sc.Duration <= 0 || sc.Duration > maxDuration {
		return nil, errAt(f.Duration.P, "duration %v must be positive and at most %v", sc.Duration, maxDuration)
	}
	if f.RateWindow.Set {
		sc.RateWindow = f.RateWindow.V
		if sc.RateWindow <= 0 || sc.RateWindow > sc.Duration {
			return nil, errAt(f.RateWindow.P, "rate_window %v must be positive and at most the duration", sc.RateWindow)
		}
	}

	if !f.Workers.Set {
		return nil, errAt(pos{Line: 1, Col: 1}, "missing workers, e.g. workers: {count: 64}")
	}
	if !f.Workers.Count.Set {
		return nil, errAt(f.Workers.P, "workers needs a count")
	}
	if c := f.Workers.Count.V; c < 1 || c > maxWorkers {
		return nil, errAt(f.Workers.Count.P, "worker count %d must be between 1 and %d", c, maxWorkers)
	}
	sc.Workers = int(f.Workers.Count.V)
	if f.Workers.Datacenters.Set {
		dcs := f.Workers.Datacenters.V
		if len(dcs) == 0 {
			return nil, errAt(f.Workers.Datacenters.P, "datacenters is empty; leave it out for a single datacenter")
		}
		for i, d := range dcs {
			if d == "" || slices.Contains(dcs[:i], d) {
				return nil, errAt(f.Workers.Datacenters.P, "datacenter names must be non-empty and distinct (%q)", d)
			}
		}
		if len(dcs) > sc.Workers {
			return nil, errAt(f.Workers.Datacenters.P, "%d datacenters for %d workers: some would be empty", len(dcs), sc.Workers)
		}
		sc.Datacenters = dcs
	}

	if !f.Load.Set || !f.Load.PerWorker.Set {
		return nil, errAt(orPos(f.Load.P, f.Load.Set), "missing load: per_worker, e.g. load: {per_worker: 20000/s, pattern: poisson}")
	}
	sc.Load.Rate = f.Load.PerWorker.V
	sc.LoadAt = f.Load.PerWorker.P
	if f.Load.Pattern.Set {
		p, err := sim.ParsePattern(f.Load.Pattern.V)
		if err != nil {
			return nil, errAt(f.Load.Pattern.P, "%v", err)
		}
		sc.Load.Pattern = p
	}

	sc.Network = sim.Latency{Base: int64(250 * time.Microsecond)}
	if f.Network.Set {
		if f.Network.Latency.Set {
			if f.Network.Latency.V < time.Microsecond {
				return nil, errAt(f.Network.Latency.P, "network latency must be at least 1µs")
			}
			sc.Network.Base = int64(f.Network.Latency.V)
		}
		if f.Network.Jitter.Set {
			if f.Network.Jitter.V < 0 {
				return nil, errAt(f.Network.Jitter.P, "jitter must not be negative")
			}
			sc.Network.Jitter = int64(f.Network.Jitter.V)
		}
	}
	if err := validateSchemes(f, sc, dir); err != nil {
		return nil, err
	}
	if err := validateFaults(f, sc); err != nil {
		return nil, err
	}
	if err := validateExpect(f, sc); err != nil {
		return nil, err
	}
	if err := checkSize(sc); err != nil {
		return nil, err
	}
	return sc, nil
}

func orPos(p pos, set bool) pos {
	if set {
		return p
	}
	return pos{Line: 1, Col: 1}
}
