// Package snowflake is the snowflake scheme kind: Twitter-style IDs of a
// timestamp, a node ID and a per-tick sequence in 64 bits, on any preset
// or custom layout, with a clock policy, worker IDs that are static or
// come from a coordinator, and the documented buggy variants of
// generators/faulty.
package snowflake

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/idsim/idsim/generators/faulty"
	"github.com/idsim/idsim/generators/snowflake"
	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/reports"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/sim/coord"
	"github.com/idsim/idsim/sim/schemes"
	"github.com/idsim/idsim/spec"
)

// Kind is the snowflake kind.
type Kind struct{}

// Name returns "snowflake".
func (Kind) Name() string { return "snowflake" }

// Summary says what the kind is.
func (Kind) Summary() string {
	return "timestamp, node ID and per-tick sequence in 64 bits; on_clock_backward: error (default), wait and wait_then_error (with max_wait), borrow, monotonic_anchor, ignore; worker_ids: how workers get their node IDs (static by default, or from a coordinator)"
}

// Keys lists the keys a snowflake scheme takes.
func (Kind) Keys() []string {
	return []string{"layout", "on_clock_backward", "max_wait", "worker_ids", "variant"}
}

type config struct {
	Layout          LayoutSpec    `yaml:"layout"`
	OnClockBackward spec.Text     `yaml:"on_clock_backward"`
	MaxWait         spec.Duration `yaml:"max_wait"`
	WorkerIDs       workerIDs     `yaml:"worker_ids"`
	Variant         spec.Text     `yaml:"variant"`
}

// Scheme is a validated snowflake scheme.
type Scheme struct {
	sf      schemes.Snowflake
	ids     *schemes.WorkerIDs // nil unless the scheme says worker_ids
	variant string
	sim     sim.Scheme
	config  string
}

// Parse validates a snowflake scheme and checks that every worker's node
// ID fits its layout.
func (Kind) Parse(m *spec.Map, env kind.Env) (kind.Scheme, error) {
	var s config
	if err := m.Decode(&s); err != nil {
		return nil, err
	}
	if !s.Layout.set {
		return nil, spec.Errorf(m.P, "scheme %q needs a layout: one of %s, or a mapping with time_bits, unit, epoch, datacenter_bits, worker_bits and sequence_bits",
			env.Label, strings.Join(snowflake.PresetNames(), ", "))
	}
	l, err := s.Layout.Build()
	if err != nil {
		return nil, err
	}
	sf := schemes.Snowflake{Layout: l, OnBackward: snowflake.Error, Datacenters: max(1, env.Datacenters)}
	if s.OnClockBackward.Set {
		p, err := snowflake.ParsePolicy(s.OnClockBackward.V)
		if err != nil {
			return nil, spec.Errorf(s.OnClockBackward.P, "%v", err)
		}
		sf.OnBackward = p
	}
	waits := sf.OnBackward == snowflake.Wait || sf.OnBackward == snowflake.WaitThenError
	switch {
	case waits && !s.MaxWait.Set:
		return nil, spec.Errorf(s.OnClockBackward.P, "on_clock_backward: %v needs max_wait, the longest a call may wait for the clock, e.g. max_wait: 5s", sf.OnBackward)
	case waits && s.MaxWait.V <= 0:
		return nil, spec.Errorf(s.MaxWait.P, "max_wait must be positive")
	case !waits && s.MaxWait.Set:
		return nil, spec.Errorf(s.MaxWait.P, "max_wait only applies to on_clock_backward: wait or wait_then_error")
	}
	sf.MaxWait = s.MaxWait.V
	if s.Variant.Set {
		return parseFaulty(s, env, sf)
	}
	ids, err := s.WorkerIDs.build(env)
	if err != nil {
		return nil, err
	}
	if ids.Strategy == coord.Static {
		if err := fits(sf, env); err != nil {
			return nil, err
		}
	}
	out := &Scheme{sf: sf, sim: sf}
	out.config = fmt.Sprintf("layout %s, on_clock_backward %s", l.Name, sf.OnBackward)
	if waits {
		out.config += fmt.Sprintf(", max_wait %v", sf.MaxWait)
	}
	if s.WorkerIDs.set {
		c := schemes.Coordinated{Snowflake: sf, IDs: ids}
		if ids.PerDatacenter {
			for _, id := range env.Identities {
				if lo, hi := c.Range(id); hi <= lo {
					return nil, spec.Errorf(s.WorkerIDs.PerDatacenter.P, "%d datacenters leave no node IDs per datacenter in layout %s (%d node IDs)", env.Datacenters, l.Name, int64(1)<<l.NodeBits())
				}
			}
		}
		out.sim, out.ids = c, &c.IDs
		out.config += ", " + ids.Describe()
	}
	return out, nil
}

// fits checks that every worker's identity fits the layout.
func fits(sf schemes.Snowflake, env kind.Env) error {
	for _, id := range env.Identities {
		if _, _, err := sf.Fields(id); err != nil {
			return spec.Errorf(env.WorkersPos, "%d workers do not fit scheme %q (line %d): %v", env.Workers, env.Label, env.Line, err)
		}
	}
	return nil
}

// parseFaulty builds a snowflake scheme that runs a deliberately broken
// generator (variant).
func parseFaulty(s config, env kind.Env, sf schemes.Snowflake) (kind.Scheme, error) {
	bug, ok := faulty.Bugs[s.Variant.V]
	if !ok {
		return nil, spec.Errorf(s.Variant.P, "unknown snowflake variant %q (one of: %s)", s.Variant.V, strings.Join(sortedKeys(faulty.Bugs), ", "))
	}
	for _, k := range []struct {
		name string
		set  bool
		p    spec.Pos
	}{{"on_clock_backward", s.OnClockBackward.Set, s.OnClockBackward.P}, {"worker_ids", s.WorkerIDs.set, s.WorkerIDs.p}} {
		if k.set {
			return nil, spec.Errorf(k.p, "variant %s has its own behaviour; it does not take %s", s.Variant.V, k.name)
		}
	}
	unchecked := (bug == faulty.UnmaskedWorker || bug == faulty.NarrowWorkerShift) && sf.Layout.Datacenter.Bits == 0
	if !unchecked {
		if err := fits(sf, env); err != nil {
			return nil, err
		}
	}
	return &Scheme{
		sf: sf, variant: s.Variant.V,
		sim:    schemes.FaultySnowflake{Snowflake: sf, Bug: bug},
		config: fmt.Sprintf("layout %s, faulty variant %s", sf.Layout.Name, s.Variant.V),
	}, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// IDBits returns 64.
func (*Scheme) IDBits() int { return 64 }

// NewGenerator builds a worker's generator.
func (s *Scheme) NewGenerator(env sim.Env) (sim.Instance, error) { return s.sim.NewGenerator(env) }

// Describe says how the scheme is configured.
func (s *Scheme) Describe() string { return s.config }

// Ordered returns true: every policy but ignore promises increasing IDs,
// and ignore's violations are the findings to explain.
func (*Scheme) Ordered() bool { return true }

// Text renders the ID in decimal.
func (*Scheme) Text(_, lo uint64) string { return strconv.FormatUint(lo, 10) }

// Decode names the fields of the ID.
func (s *Scheme) Decode(_, lo uint64) string {
	l := s.sf.Layout
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

// Variant names the faulty variant, or is empty.
func (s *Scheme) Variant() string { return s.variant }

// Why says what the faulty variant's bug is.
func (s *Scheme) Why() string { return faulty.Why[s.variant] }

// CeilingPerWorker is the layout's ceiling per worker.
func (s *Scheme) CeilingPerWorker() float64 { return s.sf.Layout.CeilingPerWorker() }

// Tick is the layout's time unit.
func (s *Scheme) Tick() time.Duration { return s.sf.Layout.Unit }

// Services names the coordinator when workers take IDs from one.
func (s *Scheme) Services() []string {
	if s.ids != nil && s.ids.UsesCoordinator() {
		return []string{kind.Coordinator}
	}
	return nil
}

// Snowflake returns the generator settings and how workers get their
// worker IDs (nil: static, as configured), for runners that build the
// production generator themselves (live runs).
func (s *Scheme) Snowflake() (schemes.Snowflake, *schemes.WorkerIDs) { return s.sf, s.ids }

// assigned reports whether workers get their IDs from the coordinator
// rather than from their configuration.
func (s *Scheme) assigned() bool { return s.ids != nil && s.ids.Strategy != coord.Static }

// Measure fills in the layout, its ceilings, the worker-ID strategy and
// the timeline of IDs around clock faults.
func (s *Scheme) Measure(o *kind.Outcome, run *reports.Run) {
	l := s.sf.Layout
	if s.ids != nil {
		run.WorkerIDs = s.ids.Describe()
	}
	run.Timeline = timeline(o, l)
	run.Layout, run.Policy = l.Name, s.sf.OnBackward.String()
	run.CeilingPerWorker, run.CeilingPerCluster = l.CeilingPerWorker(), l.CeilingPerCluster()
}

// NestedKeys lists the keys of a custom layout and of worker_ids.
func (Kind) NestedKeys() []string { return append(slices.Clone(LayoutKeys), WorkerIDKeys...) }

// Setup registers the coordinator when workers take IDs from one.
func (s *Scheme) Setup(w *sim.World) error {
	if ss, ok := s.sim.(sim.ServiceScheme); ok {
		return ss.Setup(w)
	}
	return nil
}

// TimerDelay passes on the coordinated scheme's promise that workers
// send only from timers and reply handlers (sim.TimerSender); 0 claims
// nothing.
func (s *Scheme) TimerDelay() int64 {
	if t, ok := s.sim.(sim.TimerSender); ok {
		return t.TimerDelay()
	}
	return 0
}
