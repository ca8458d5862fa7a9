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
	P       pos      `yaml:"-"`
	Set     bool     `yaml:"-"`
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
	s.P, s.Set = p, true
	return nil
}

type workersSpec struct {
	P           pos      `yaml:"-"`
	Set         bool     `yaml:"-"`
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
	w.P, w.Set = p, true
	return nil
}

type loadSpec struct {
	P         pos  `yaml:"-"`
	Set       bool `yaml:"-"`
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
	l.P, l.Set = p, true
	return nil
}

type schemeList struct{ list[schemeSpec] }

func (l *schemeList) UnmarshalYAML(n ast.Node) error {
	return l.Decode(n, "schemes must be a list, one entry per scheme", false, func(item ast.Node) (schemeSpec, error) {
		var s schemeSpec
		err := s.UnmarshalYAML(item)
		return s, err
	})
}

// schemeSpec is a scheme entry as written: its kind reads its keys.
type schemeSpec struct {
	P    pos `yaml:"-"`
	node ast.Node
}

func (s *schemeSpec) UnmarshalYAML(n ast.Node) error {
	p, err := mapping(n, "a scheme")
	if err != nil {
		return err
	}
	s.P, s.node = p, n
	return nil
}

type faultList struct{ list[faultSpec] }

func (l *faultList) UnmarshalYAML(n ast.Node) error {
	// "faults:" with nothing after it means no faults.
	return l.Decode(n, "faults must be a list, one entry per fault", true, func(item ast.Node) (faultSpec, error) {
		var f faultSpec
		err := f.UnmarshalYAML(item)
		return f, err
	})
}

// faultSpec is a fault entry as written: its kind reads its keys.
type faultSpec struct {
	P    pos `yaml:"-"`
	node ast.Node
}

func (f *faultSpec) UnmarshalYAML(n ast.Node) error {
	p, err := mapping(n, "a fault")
	if err != nil {
		return err
	}
	f.P, f.node = p, n
	return nil
}

// expectMap maps scheme labels to expectations, in file order.
type expectMap struct {
	P       pos  `yaml:"-"`
	Set     bool `yaml:"-"`
	entries []expectEntry
}

type expectEntry struct {
	label  text
	expect expectSpec
}

func (m *expectMap) UnmarshalYAML(n ast.Node) error {
	m.P, m.Set = posOf(n), true
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

// expectSpec is a scheme's expectations as written: a mapping of
// expectation keys to wanted values.
type expectSpec struct {
	P    pos `yaml:"-"`
	node ast.Node
}

func (e *expectSpec) UnmarshalYAML(n ast.Node) error {
	p, err := mapping(n, "an expectation")
	if err != nil {
		return err
	}
	e.P, e.node = p, n
	return nil
}
