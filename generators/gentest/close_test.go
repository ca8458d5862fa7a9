package gentest_test

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/idsim/idsim/generators/gentest"
	"github.com/idsim/idsim/generators/internal/rapidtest"
)

// closing counts its instances: opened by the factory, closed by Close.
type closing struct {
	n       uint64
	worker  int64
	open    *atomic.Int64
	closed  bool
	failing bool
}

func (c *closing) Next() (gentest.ID, error) {
	if c.closed {
		return gentest.ID{}, errors.New("called after Close")
	}
	c.n++
	return gentest.ID{Hi: uint64(c.worker), Lo: c.n}, nil
}

func (c *closing) Close() error {
	if c.closed {
		return errors.New("closed twice")
	}
	c.closed = true
	c.open.Add(-1)
	if c.failing {
		return errors.New("flush failed")
	}
	return nil
}

// TestInstancesAreClosed: every instance a restart discards, and every
// one left at the end of a schedule, is closed exactly once — and a
// Close that fails fails the check.
func TestInstancesAreClosed(t *testing.T) {
	var open, built atomic.Int64
	factory := func(failing bool) gentest.Factory {
		return func(env gentest.Env) (gentest.Generator, error) {
			open.Add(1)
			built.Add(1)
			return &closing{worker: env.Worker, open: &open, failing: failing}, nil
		}
	}
	p := gentest.Promises{Unique: true, Increasing: true, NoErrors: true}
	gentest.Check(t, factory(false), p, gentest.Options{})
	if open.Load() != 0 || built.Load() == 0 {
		t.Errorf("%d of %d instances left open", open.Load(), built.Load())
	}
	failed, report := rapidtest.Fails("failing close", gentest.Property(factory(true), p, gentest.Options{}))
	if !failed || !strings.Contains(report, "flush failed") {
		t.Errorf("a failing Close passed the check:\n%s", report)
	}
	if open.Load() != 0 {
		t.Errorf("%d instances left open after failing schedules", open.Load())
	}
}
