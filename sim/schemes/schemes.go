// Package schemes adapts the generators in generators/ to the simulator:
// each adapter is a sim.Scheme that builds a worker's generator from the
// worker's identity and virtual clock.
package schemes

import (
	"fmt"
	"time"

	"github.com/idsim/idsim/generators/snowflake"
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
func (s Snowflake) NewGenerator(id sim.Identity, clk *sim.Clock) (sim.Generator, error) {
	dc, w, err := s.Fields(id)
	if err != nil {
		return nil, err
	}
	return snowflake.New(snowflake.Config{
		Layout:     s.Layout,
		Datacenter: dc,
		Worker:     w,
		OnBackward: s.OnBackward,
		MaxWait:    s.MaxWait,
	}, clk)
}
