// Package faults is idsim's fault catalogue. A fault is a typed, validated
// description — what happens, when, to which workers — plus its effect on
// a simulated world. Faults record when they act, so that every finding
// can name the faults in force when it happened.
//
// Times are true (virtual) time since the start of the run.
package faults

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/spec"
)

// Fault is one entry of a fault schedule.
type Fault interface {
	// Kind is the fault's name in scenario files, e.g. "clock_step".
	Kind() string
	// Validate checks the fault against the run it will act on and returns
	// a *FieldError naming the offending field.
	Validate(env Env) error
	// Schedule arranges the fault's effects in w. id names the fault in
	// findings.
	Schedule(w *sim.World, id string) error
	// Describe says in a few words what the fault does.
	Describe() string
	Spanner
}

// Env is what a fault is validated against.
type Env struct {
	Workers  int
	Duration time.Duration
}

// FieldError is a validation error about one field of a fault.
type FieldError struct {
	Field string
	Msg   string
}

// Error renders "field: message".
func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Workers selects workers by index. Nil or empty selects all of them.
type Workers []int

// Resolve returns the selected indexes for a run with n workers.
func (ws Workers) Resolve(n int) []int {
	if len(ws) == 0 {
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		return all
	}
	return ws
}

// String renders the selection as in a scenario file.
func (ws Workers) String() string {
	if len(ws) == 0 {
		return "all workers"
	}
	if len(ws) == 1 {
		return fmt.Sprintf("worker %d", ws[0])
	}
	s := make([]string, len(ws))
	for i, w := range ws {
		s[i] = fmt.Sprint(w)
	}
	return "workers " + strings.Join(s, ", ")
}

func (ws Workers) validate(env Env) error {
	seen := map[int]bool{}
	for _, w := range ws {
		if w < 0 || w >= env.Workers {
			return fieldErr("workers", "worker %d does not exist: the scenario has workers 0..%d", w, env.Workers-1)
		}
		if seen[w] {
			return fieldErr("workers", "worker %d is listed twice", w)
		}
		seen[w] = true
	}
	return nil
}

func validateAt(at time.Duration, env Env) error {
	if at < 0 || at >= env.Duration {
		return fieldErr("at", "%v is outside the run (0 to %v)", at, env.Duration)
	}
	return nil
}

// KindInfo describes a fault kind: its name, its keys, how to parse an
// entry of it. Each fault kind's file declares one; catalogue lists them.
type KindInfo struct {
	Kind, Summary string
	// Params lists the keys for help texts.
	Params string
	// Keys are the keys the kind takes besides kind; Required those it
	// needs.
	Keys, Required []string
	// Parse builds the fault from its keys (m holds only keys listed in
	// Keys, and every Required one). Validation comes after, with
	// Validate.
	Parse func(m *spec.Map) (Fault, error)
	// Zero is the kind's zero value, which tells what the kind can do
	// (act live, act on some schemes only) before any entry is parsed.
	Zero Fault
}

// catalogue is the fault catalogue, in the order help texts list it.
var catalogue = []KindInfo{
	clockStepKind, duplicateWorkerIDKind, sequenceFloodKind, clockDriftKind, clockFreezeKind,
	pauseKind, restartKind, dbOutageKind, coordinatorPartitionKind, renewalLossKind, networkDelayKind,
}

// Kinds lists the fault kinds in catalogue order.
func Kinds() []KindInfo { return slices.Clone(catalogue) }

// Lookup returns the fault kind of that name.
func Lookup(name string) (KindInfo, bool) {
	for _, k := range catalogue {
		if k.Kind == name {
			return k, true
		}
	}
	return KindInfo{}, false
}

// WindowKeys are the keys of a fault that acts on workers for a while;
// a fault kind with more keys embeds it inline.
type WindowKeys struct {
	At      spec.Duration `yaml:"at"`
	For     spec.Duration `yaml:"for"`
	Workers spec.Workers  `yaml:"workers"`
}

// validateWindow checks a fault that acts on workers from at for d;
// what names it in errors ("the freeze").
func validateWindow(at, d time.Duration, ws Workers, env Env, what string) error {
	if err := validateAt(at, env); err != nil {
		return err
	}
	if d <= 0 {
		return fieldErr("for", "%s needs a positive duration", what)
	}
	return ws.validate(env)
}

// window is the one span of a fault acting on workers from at for d.
func window(id string, ws Workers, workers int, at, d time.Duration) []sim.Activity {
	return []sim.Activity{{Fault: id, Workers: ws.Resolve(workers), From: int64(at), To: int64(at + d)}}
}

// workersOf turns a scenario's worker list into a selection.
func workersOf(w spec.Workers) Workers {
	if w.All {
		return nil
	}
	return w.V
}

// Selective is a fault that acts only on schemes with something it
// strikes (a database, a coordinator). A scenario whose schemes it can
// act on none of is refused when it is loaded.
type Selective interface {
	Fault
	// AppliesTo reports whether the fault can act on scheme s.
	AppliesTo(s kind.Scheme) bool
	// Needs says what a scheme must have for the fault to act on it.
	Needs() string
}

// uses reports whether scheme s uses one of the named services.
func uses(s kind.Scheme, services ...string) bool {
	u, ok := s.(kind.ServiceUser)
	if !ok {
		return false
	}
	for _, name := range u.Services() {
		if slices.Contains(services, name) {
			return true
		}
	}
	return false
}

// Spanner is every fault: Spans says when the fault acts and on which
// workers, in true time since the start, for a run of the given number
// of workers and duration. The simulator marks these spans as the fault
// acts, and live runs report the same ones, so findings are blamed alike
// whichever backend ran them.
type Spanner interface {
	Spans(id string, workers int, duration int64) []sim.Activity
}

// MovesClocks is a fault that moves clocks or restarts workers: the
// spans a timeline of the time inside IDs shows.
type MovesClocks interface {
	MovesClocks()
}

// LivePlan is what a live run offers faults to act through: a fault that
// implements Live arranges its effects with these calls before the run
// starts. Times are ns of real time since the start.
type LivePlan interface {
	// Pause stops worker w from from to to: nothing is served, nothing is
	// renewed.
	Pause(w int, from, to int64)
	// Crash crashes worker w at at (its generator and lease are gone)
	// and starts it again downtime later.
	Crash(w int, at, downtime int64)
	// StepClock moves worker w's clock by by at at.
	StepClock(w int, at, by int64)
	// CutCoordinator drops worker w's renewals and holds its claims from
	// from to to.
	CutCoordinator(w int, from, to int64)
	// LoseRenewals loses each of worker w's renewals from from to to with
	// probability p, drawn from the seeded stream named stream.
	LoseRenewals(w int, from, to int64, p float64, stream string)
	// DelayRenewals holds each of worker w's renewals back by by from
	// from to to.
	DelayRenewals(w int, from, to, by int64)
}

// Live is a fault a live run can inject.
type Live interface {
	Fault
	Live(p LivePlan, id string, workers int)
}
