package scenarios

import (
	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// The scenario file as written: every field keeps its position. Structs
// decode strictly (unknown keys are errors) and remember where they start,
// so that a missing key can be reported at its parent.

// decodeStrict decodes n into v, rejecting unknown keys.
func decodeStrict(n ast.Node, v any) error {
	return yaml.NodeToValue(n, v, yaml.Strict())
}

// mapping checks that n is a mapping and returns its position.
func mapping(n ast.Node, what string) (pos, error) {
	p := posOf(n)
	switch unwrap(n).(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return p, nil
	case *ast.NullNode:
		return p, errAt(p, "%s is empty", what)
	}
	return p, errAt(p, "%s must be a mapping of keys to values", what)
}

type fileSpec struct {
	Name        text        `yaml:"name"`
	Description text        `yaml:"description"`
	Seed        integer     `yaml:"seed"`
	Start       timestamp   `yaml:"start"`
	Duration    duration    `yaml:"duration"`
	RateWindow  duration    `yaml:"rate_window"`
	Workers     workersSpec `yaml:"workers"`
	Load        loadSpec    `yaml:"load"`
	Schemes     schemeList  `yaml:"schemes"`
	Faults      faultList   `yaml:"faults"`
	Expect      expectMap   `yaml:"expect"`
	Network     networkSpec `yaml:"network"`
}

type networkSpec struct {
	p       pos
	set     bool
	Latency duration `yaml:"latency"`
	Jitter  duration `yaml:"jitter"`
}

func (s *networkSpec) UnmarshalYAML(n ast.Node) error {
	p, err := mapping(n, "network")
	if err != nil {
		return err
	}
	type plain networkSpec
	if err := decodeStrict(n, (*plain)(s)); err != nil {
		return err
	}
	s.p, s.set = p, true
	return nil
}

type workersSpec struct {
	p           pos
	set         bool
	Count       integer  `yaml:"count"`
	Datacenters textList `yaml:"datacenters"`
}

func (w *workersSpec) UnmarshalYAML(n ast.Node) error {
	p, err := mapping(n, "workers")
	if err != nil {
		return err
	}
	type plain workersSpec
	if err := decodeStrict(n, (*plain)(w)); err != nil {
		return err
	}
	w.p, w.set = p, true
	return nil
}

type loadSpec struct {
	p         pos
	set       bool
	PerWorker rate `yaml:"per_worker"`
	Pattern   text `yaml:"pattern"`
}

func (l *loadSpec) UnmarshalYAML(n ast.Node) error {
	p, err := mapping(n, "load")
	if err != nil {
		return err
	}
	type plain loadSpec
	if err := decodeStrict(n, (*plain)(l)); err != nil {
		return err
	}
	l.p, l.set = p, true
	return nil
}

type schemeList struct{ list[schemeSpec] }

func (l *schemeList) UnmarshalYAML(n ast.Node) error {
	return l.decode(n, "schemes must be a list, one entry per scheme", false, func(item ast.Node) (schemeSpec, error) {
		var s schemeSpec
		err := s.UnmarshalYAML(item)
		return s, err
	})
}

type schemeSpec struct {
	p               pos
	Label           text       `yaml:"label"`
	Kind            text       `yaml:"kind"`
	Layout          layoutSpec `yaml:"layout"`
	OnClockBackward text       `yaml:"on_clock_backward"`
	MaxWait         duration   `yaml:"max_wait"`
	RandomBits      integer    `yaml:"random_bits"`
	Batch           integer    `yaml:"batch"`
	PrefetchAt      fraction   `yaml:"prefetch_at"`
	WorkerIDs       workerIDs  `yaml:"worker_ids"`
	Variant         text       `yaml:"variant"`
	Servers         integer    `yaml:"servers"`
}

// workerIDs says how a snowflake scheme's workers get their worker IDs.
type workerIDs struct {
	p                    pos
	set                  bool
	Strategy             text     `yaml:"strategy"`
	TTL                  duration `yaml:"ttl"`
	Heartbeat            duration `yaml:"heartbeat"`
	SafetyMargin         text     `yaml:"safety_margin"`
	PerDatacenter        boolean  `yaml:"per_datacenter"`
	StartupWait          duration `yaml:"startup_wait"`
	PersistLastTimestamp boolean  `yaml:"persist_last_timestamp"`
	FirstSequence        integer  `yaml:"first_sequence"`
}

func (s *workerIDs) UnmarshalYAML(n ast.Node) error {
	p, err := mapping(n, "worker_ids")
	if err != nil {
		return err
	}
	type plain workerIDs
	if err := decodeStrict(n, (*plain)(s)); err != nil {
		return err
	}
	s.p, s.set = p, true
	return nil
}

func (s *schemeSpec) UnmarshalYAML(n ast.Node) error {
	p, err := mapping(n, "a scheme")
	if err != nil {
		return err
	}
	type plain schemeSpec
	if err := decodeStrict(n, (*plain)(s)); err != nil {
		return err
	}
	s.p = p
	return nil
}

// layoutSpec is a preset name or a custom layout.
type layoutSpec struct {
	p      pos
	set    bool
	preset text
	custom *customLayout
}

type customLayout struct {
	p               pos
	Name            text      `yaml:"name"`
	Epoch           timestamp `yaml:"epoch"`
	Unit            duration  `yaml:"unit"`
	TimeBits        integer   `yaml:"time_bits"`
	DatacenterBits  integer   `yaml:"datacenter_bits"`
	WorkerBits      integer   `yaml:"worker_bits"`
	SequenceBits    integer   `yaml:"sequence_bits"`
	TimeShift       integer   `yaml:"time_shift"`
	DatacenterShift integer   `yaml:"datacenter_shift"`
	WorkerShift     integer   `yaml:"worker_shift"`
	SequenceShift   integer   `yaml:"sequence_shift"`
	Unsigned        boolean   `yaml:"unsigned"`
}

func (l *layoutSpec) UnmarshalYAML(n ast.Node) error {
	l.p, l.set = posOf(n), true
	switch unwrap(n).(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		l.custom = &customLayout{p: l.p}
		type plain customLayout
		return decodeStrict(n, (*plain)(l.custom))
	}
	return l.preset.UnmarshalYAML(n)
}

type faultList struct{ list[faultSpec] }

func (l *faultList) UnmarshalYAML(n ast.Node) error {
	// "faults:" with nothing after it means no faults.
	return l.decode(n, "faults must be a list, one entry per fault", true, func(item ast.Node) (faultSpec, error) {
		var f faultSpec
		err := f.UnmarshalYAML(item)
		return f, err
	})
}

// faultSpec holds the keys of every fault kind; validation rejects keys a
// kind does not take.
type faultSpec struct {
	p           pos
	Kind        text       `yaml:"kind"`
	At          duration   `yaml:"at"`
	For         duration   `yaml:"for"`
	Workers     workerList `yaml:"workers"`
	By          duration   `yaml:"by"`
	Rate        rate       `yaml:"rate"`
	Pattern     text       `yaml:"pattern"`
	PPM         integer    `yaml:"ppm"`
	Downtime    duration   `yaml:"downtime"`
	Stagger     duration   `yaml:"stagger"`
	Every       duration   `yaml:"every"`
	Times       integer    `yaml:"times"`
	Probability fraction   `yaml:"probability"`
}

func (f *faultSpec) UnmarshalYAML(n ast.Node) error {
	p, err := mapping(n, "a fault")
	if err != nil {
		return err
	}
	type plain faultSpec
	if err := decodeStrict(n, (*plain)(f)); err != nil {
		return err
	}
	f.p = p
	return nil
}

// expectMap maps scheme labels to expectations, in file order.
type expectMap struct {
	p       pos
	set     bool
	entries []expectEntry
}

type expectEntry struct {
	label  text
	expect expectSpec
}

func (m *expectMap) UnmarshalYAML(n ast.Node) error {
	m.p, m.set = posOf(n), true
	if _, isNull := unwrap(n).(*ast.NullNode); isNull {
		return nil
	}
	if _, err := mapping(n, "expect"); err != nil {
		return err
	}
	it := unwrap(n).(ast.MapNode).MapRange()
	for it.Next() {
		var e expectEntry
		if err := e.label.UnmarshalYAML(it.Key()); err != nil {
			return err
		}
		if err := e.expect.UnmarshalYAML(it.Value()); err != nil {
			return err
		}
		m.entries = append(m.entries, e)
	}
	return nil
}

type expectSpec struct {
	p                   pos
	Unique              boolean    `yaml:"unique"`
	Monotonic           boolean    `yaml:"monotonic"`
	WithinCeiling       boolean    `yaml:"within_ceiling"`
	Duplicates          comparison `yaml:"duplicates"`
	MonotonicViolations comparison `yaml:"monotonic_violations"`
	Errors              comparison `yaml:"errors"`
	Generated           comparison `yaml:"generated"`
	Unserved            comparison `yaml:"unserved"`
	DelayedCalls        comparison `yaml:"delayed_calls"`
	LateIDs             comparison `yaml:"late_ids"`
	Gaps                comparison `yaml:"gaps"`
	Linearizable        boolean    `yaml:"linearizable"`
}

func (e *expectSpec) UnmarshalYAML(n ast.Node) error {
	p, err := mapping(n, "an expectation")
	if err != nil {
		return err
	}
	type plain expectSpec
	if err := decodeStrict(n, (*plain)(e)); err != nil {
		return err
	}
	e.p = p
	return nil
}
