// Package kind defines what a scheme kind is — the interface every kind
// of ID scheme implements once, built-in or a user's — and the registry
// the scenario loader, the reports, `idsim list`, `decode` and live runs
// consult. Nothing outside a kind's own package switches on its name.
//
// A kind parses its keys of a scenario file's scheme entry into a
// Scheme. A Scheme builds the simulated generator of every worker (it is
// a sim.Scheme), describes itself, renders and decodes its IDs, and may
// implement any of the optional capabilities below: each is a named
// interface the harness checks for, so a user's kind gets everything a
// built-in kind gets by implementing the same methods.
package kind

import (
	"time"

	"github.com/idsim/idsim/reports"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/sim/coord"
	"github.com/idsim/idsim/sim/lincheck"
	"github.com/idsim/idsim/spec"
)

// Kind is one scheme kind.
type Kind interface {
	// Name is the kind's name in scenario files, e.g. "snowflake".
	Name() string
	// Summary says in a line or two what the scheme is and what its
	// keys mean, for `idsim list schemes`.
	Summary() string
	// Keys lists the keys the kind takes besides label and kind.
	Keys() []string
	// Parse validates the scheme's keys — m holds them without label
	// and kind, and only keys listed by Keys — and builds the scheme.
	// Errors are *spec.Error at the offending key or value.
	Parse(m *spec.Map, env Env) (Scheme, error)
}

// Env is what a scheme is parsed and validated against: the scenario
// around it.
type Env struct {
	// Label is the scheme's label and Line the line its entry starts on.
	Label string
	Line  int
	// Workers is the number of workers; WorkersPos is where the count is
	// written, the place to report workers that do not fit the scheme.
	Workers    int
	WorkersPos spec.Pos
	// Identities is every worker's identity.
	Identities []sim.Identity
	// Datacenters is how many datacenters the workers are spread over
	// (at least 1).
	Datacenters int
	// Network is the one-way latency to shared services.
	Network sim.Latency
	// Dir is the directory of the scenario file, against which relative
	// paths in it are resolved; empty for a shipped scenario.
	Dir string
}

// Scheme is a validated scheme: what the simulator runs on every worker
// and what the reports say about its IDs.
type Scheme interface {
	sim.Scheme
	// Describe says in one line how the scheme is configured.
	Describe() string
	// Ordered reports whether each generator promises strictly
	// increasing IDs; out-of-order IDs are then findings to explain, and
	// otherwise only counted.
	Ordered() bool
	// Text renders an ID as people write it (a decimal number, a UUID,
	// a ULID). 64-bit IDs have hi = 0.
	Text(hi, lo uint64) string
	// Decode says in words what the fields of an ID hold.
	Decode(hi, lo uint64) string
}

// The optional capabilities of a Scheme.

// Faulty is a scheme that runs a deliberately broken generator.
type Faulty interface {
	// Variant names the broken generator, e.g. "twitter_2010".
	Variant() string
	// Why says in a sentence what the bug is; it closes every
	// explanation of the scheme's findings.
	Why() string
}

// Random is a scheme whose IDs carry random bits.
type Random interface {
	// RandomBits is how many random bits each ID carries.
	RandomBits() int
}

// Ceiling is a scheme whose layout caps how many IDs a worker can issue
// per tick, so that the within_ceiling expectation applies.
type Ceiling interface {
	// CeilingPerWorker is the most IDs per second one worker can issue.
	CeilingPerWorker() float64
	// Tick is the layout's time unit.
	Tick() time.Duration
}

// Allocator is a central allocator: its allocations form a history that
// porcupine checks for linearizability, and the linearizable
// expectation applies.
type Allocator interface {
	// Allocations returns the history of allocations a run made.
	Allocations(w *sim.World) []lincheck.Op
}

// ServiceUser is a scheme whose generators talk to the world's
// simulated services; faults that act on a service (db_outage,
// coordinator_partition) apply only to schemes that use it.
type ServiceUser interface {
	// Services lists the services' names (see Database and Coordinator).
	Services() []string
}

// The names of the simulated services faults act on.
const (
	// Database is the sequence database of central allocators.
	Database = "db"
	// Coordinator is the worker-ID coordinator.
	Coordinator = coord.ServiceName
)

// Measurer is a scheme with measures of its own (a layout's ceilings, a
// database's round trips, the birthday bound), filled into the run
// after duplicates have been explained.
type Measurer interface {
	Measure(o *Outcome, run *reports.Run)
}

// GroupExplainer says why the duplicates of a group happened, in a
// sentence or two; the harness then names the faults in force. An empty
// answer leaves the harness's generic sentence.
type GroupExplainer interface {
	ExplainGroup(g *reports.DuplicateGroup, o *Outcome) string
}

// GroupNoter adds a last remark to the explanation of a group, after the
// faults in force.
type GroupNoter interface {
	GroupNote(g *reports.DuplicateGroup) string
}

// Blamer names faults behind a duplicate beyond those in force at either
// issue (for example those in force when a worker was given its ID).
type Blamer interface {
	Blame(d sim.DuplicateFinding, o *Outcome) []string
}

// WorkerIDer says what worker ID an issue ran under, for findings.
type WorkerIDer interface {
	// WorkerID describes the worker ID of worker identity id, which
	// issued the ID (hi, lo).
	WorkerID(id sim.Identity, hi, lo uint64) string
}

// Outcome is what a run left behind, for a scheme's measures and
// explanations, whichever backend ran it.
type Outcome struct {
	// Trace is the run's record: logs, counters, fault activity, clocks.
	Trace sim.Trace
	// World is the simulated world after the run, or nil for a live run.
	World *sim.World
	// Coordinator is the simulated world's worker-ID coordinator, or nil.
	Coordinator *coord.Coordinator
	// Holdings, when set, says how workers came to hold their worker IDs
	// in a run without a simulated coordinator (a live run's etcd
	// claims).
	Holdings Holdings
	// Start is the clocks' reading at the start (Unix ns) and Duration
	// the run's length in true time.
	Start, Duration int64
	// Files collects extra files to write beside the report, by name.
	Files map[string][]byte
	// TimelineFaults names the faults whose activity moved clocks or
	// restarted workers, the spans a timeline chart shows.
	TimelineFaults map[string]bool
}

// ActiveAt lists the faults acting on worker w at true time t.
func (o *Outcome) ActiveAt(w int, t int64) []string { return sim.ActiveIn(o.Trace.Activity(), w, t) }

// Holdings says how workers came to hold the worker IDs they issued
// under.
type Holdings interface {
	// Explain says in a sentence how worker came to hold node, under
	// which it issued at true time t.
	Explain(worker int, node, t int64) string
	// Blame lists the faults that share the blame for worker issuing
	// under node at t beyond those in force then: those in force when it
	// was given the ID, and when its claim ended if that was before t.
	Blame(worker int, node, t int64) []string
}

// NestedKeys is a kind whose keys hold mappings of their own (a custom
// layout, worker_ids): it lists their keys, so that a typo in one gets a
// "did you mean" suggestion.
type NestedKeys interface {
	NestedKeys() []string
}
