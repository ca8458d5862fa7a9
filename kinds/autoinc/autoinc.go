// Package autoinc is the autoinc scheme kind: auto-increment, one
// database round trip per ID.
package autoinc

import (
	"github.com/idsim/idsim/generators/rangebatch"
	"github.com/idsim/idsim/kind"
	rb "github.com/idsim/idsim/kinds/rangebatch"
	"github.com/idsim/idsim/spec"
)

// Kind is the autoinc kind.
type Kind struct{}

// Name returns "autoinc".
func (Kind) Name() string { return "autoinc" }

// Summary says what the kind is.
func (Kind) Summary() string { return "auto-increment: one database round trip per ID" }

// Keys lists the keys an autoinc scheme takes.
func (Kind) Keys() []string { return []string{"variant"} }

// Parse validates an autoinc scheme: a range allocation with a batch of
// one and no prefetch.
func (Kind) Parse(m *spec.Map, env kind.Env) (kind.Scheme, error) {
	var c struct {
		Variant spec.Text `yaml:"variant"`
	}
	if err := m.Decode(&c); err != nil {
		return nil, err
	}
	s, err := rb.New(rangebatch.Config{Batch: 1}, c.Variant, "autoinc", env)
	if err != nil {
		return nil, err
	}
	s.Config = "one round trip per ID" + s.Suffix()
	return s, nil
}
