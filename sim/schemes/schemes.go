// Package schemes adapts the generators in generators/ to the simulator:
// each adapter is a sim.Scheme that builds a worker's generator from the
// worker's identity and virtual clock.
package schemes

import (
	"fmt"
	"time"

	"github.com/idsim/idsim/generators/snowflake"
	"github.com/idsim/idsim/generators/ulid"
	"github.com/idsim/idsim/generators/uuid"
	"github.com/idsim/idsim/sim"
)

// Snowflake runs snowflake.Generator on every worker.
type Snowflake struct {
	Layout     snowflake.Layout
	OnBackward snowflake.Policy
	MaxWait    time.Duration
	// Datacenters is how many datacenters the scenario spreads workers
	// over. With one datacenter, or a layout without datacenter bits, a
	// worker's node number fills the datacenter and worker fields
	// together (SplitNode); otherwise the datacenter goes in the
	// datacenter field and the node in the worker field.
	Datacenters int
}

// Fields returns the datacenter and worker field values a worker with
// identity id gets, or an error if they do not fit the layout.
func (s Snowflake) Fields(id sim.Identity) (datacenter, worker int64, err error) {
	l := s.Layout
	if s.Datacenters > 1 && l.Datacenter.Bits > 0 {
		if uint64(id.Datacenter) > l.Datacenter.Max() {
			return 0, 0, fmt.Errorf("datacenter %d needs %s ID %d but layout %s has %d %s bits (0..%d)",
				id.Datacenter, l.DatacenterName(), id.Datacenter, l.Name, l.Datacenter.Bits, l.DatacenterName(), l.Datacenter.Max())
		}
		if uint64(id.Node) > l.Worker.Max() {
			return 0, 0, fmt.Errorf("node %d of datacenter %d needs %s ID %d but layout %s has %d %s bits (0..%d)",
				id.Node, id.Datacenter, l.WorkerName(), id.Node, l.Name, l.Worker.Bits, l.WorkerName(), l.Worker.Max())
		}
		return int64(id.Datacenter), int64(id.Node), nil
	}
	n := int64(id.Node)*int64(max(1, s.Datacenters)) + int64(id.Datacenter)
	dc, w, ok := l.SplitNode(n)
	if !ok {
		fields := l.WorkerName() + " field holds"
		if l.Datacenter.Bits > 0 {
			fields = l.DatacenterName() + " and " + l.WorkerName() + " fields hold"
		}
		return 0, 0, fmt.Errorf("node %d does not fit layout %s: its %s %d nodes (0..%d)",
			n, l.Name, fields, int64(1)<<l.NodeBits(), int64(1)<<l.NodeBits()-1)
	}
	return dc, w, nil
}

// NewGenerator builds the generator for one worker.
func (s Snowflake) NewGenerator(env sim.Env) (sim.Instance, error) {
	dc, w, err := s.Fields(env.Identity)
	if err != nil {
		return sim.Instance{}, err
	}
	g, err := snowflake.New(snowflake.Config{
		Layout:     s.Layout,
		Datacenter: dc,
		Worker:     w,
		OnBackward: s.OnBackward,
		MaxWait:    s.MaxWait,
	}, env.Clock)
	return sim.Instance{Narrow: g}, err
}

// IDBits returns 64.
func (Snowflake) IDBits() int { return 64 }

// UUIDv4 runs a version 4 UUID generator on every worker.
type UUIDv4 struct {
	// RandomBits, when non-zero, truncates the randomness to make
	// collisions observable; see uuid.V4Config.
	RandomBits int
}

// IDBits returns 128.
func (UUIDv4) IDBits() int { return 128 }

// NewGenerator builds the generator for one worker, drawing from the
// worker's entropy stream.
func (s UUIDv4) NewGenerator(env sim.Env) (sim.Instance, error) {
	g, err := uuid.NewV4(uuid.V4Config{RandomBits: s.RandomBits}, env.Entropy)
	if err != nil {
		return sim.Instance{}, err
	}
	return sim.Instance{Wide: v4{g}}, nil
}

type v4 struct{ g *uuid.V4 }

func (v v4) TryNext128() (hi, lo uint64, wait time.Duration, err error) {
	hi, lo = v.g.NextHiLo()
	return hi, lo, 0, nil
}

// UUIDv7 runs a version 7 UUID generator on every worker.
type UUIDv7 struct {
	OnBackward uuid.V7Policy
	RandomBits int
}

// IDBits returns 128.
func (UUIDv7) IDBits() int { return 128 }

// NewGenerator builds the generator for one worker.
func (s UUIDv7) NewGenerator(env sim.Env) (sim.Instance, error) {
	g, err := uuid.NewV7(uuid.V7Config{OnBackward: s.OnBackward, RandomBits: s.RandomBits}, env.Clock, env.Entropy)
	if err != nil {
		return sim.Instance{}, err
	}
	return sim.Instance{Wide: v7{g}}, nil
}

type v7 struct{ g *uuid.V7 }

func (v v7) TryNext128() (hi, lo uint64, wait time.Duration, err error) {
	hi, lo, err = v.g.NextHiLo()
	return hi, lo, 0, err
}

// ULID runs a monotonic ULID generator on every worker.
type ULID struct {
	OnBackward ulid.Policy
	RandomBits int
}

// IDBits returns 128.
func (ULID) IDBits() int { return 128 }

// NewGenerator builds the generator for one worker.
func (s ULID) NewGenerator(env sim.Env) (sim.Instance, error) {
	g, err := ulid.New(ulid.Config{OnBackward: s.OnBackward, RandomBits: s.RandomBits}, env.Clock, env.Entropy)
	if err != nil {
		return sim.Instance{}, err
	}
	return sim.Instance{Wide: ulidGen{g}}, nil
}

type ulidGen struct{ g *ulid.Generator }

func (u ulidGen) TryNext128() (hi, lo uint64, wait time.Duration, err error) {
	hi, lo, err = u.g.NextHiLo()
	return hi, lo, 0, err
}
