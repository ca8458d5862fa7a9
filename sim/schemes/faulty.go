package schemes

import (
	"time"

	"github.com/idsim/idsim/generators/faulty"
	"github.com/idsim/idsim/sim"
)

// FaultySnowflake runs a deliberately broken Snowflake generator
// (generators/faulty) on every worker, for regression scenarios.
type FaultySnowflake struct {
	Snowflake Snowflake
	Bug       faulty.Bug
}

// IDBits returns 64.
func (FaultySnowflake) IDBits() int { return 64 }

// NewGenerator builds the broken generator for one worker. Bugs about
// worker IDs that do not fit take the worker's node number unchecked
// when the layout has no datacenter field.
func (s FaultySnowflake) NewGenerator(env sim.Env) (sim.Instance, error) {
	var dc, w int64
	unchecked := s.Bug == faulty.UnmaskedWorker || s.Bug == faulty.NarrowWorkerShift
	if unchecked && s.Snowflake.Layout.Datacenter.Bits == 0 {
		w = int64(env.Identity.Node)*int64(max(1, s.Snowflake.Datacenters)) + int64(env.Identity.Datacenter)
	} else {
		var err error
		if dc, w, err = s.Snowflake.Fields(env.Identity); err != nil {
			return sim.Instance{}, err
		}
	}
	g, err := faulty.NewSnowflake(s.Snowflake.Layout, dc, w, s.Bug, env.Clock)
	return sim.Instance{Narrow: g}, err
}

// FaultyV7 runs a deliberately broken UUIDv7 generator on every worker.
type FaultyV7 struct{ Bug faulty.V7Bug }

// IDBits returns 128.
func (FaultyV7) IDBits() int { return 128 }

// NewGenerator builds the broken generator for one worker.
func (s FaultyV7) NewGenerator(env sim.Env) (sim.Instance, error) {
	g, err := faulty.NewV7(s.Bug, env.Clock, env.Entropy)
	return sim.Instance{Wide: faultyV7{g}}, err
}

type faultyV7 struct{ g *faulty.V7 }

func (f faultyV7) TryNext128() (hi, lo uint64, wait time.Duration, err error) {
	hi, lo = f.g.NextHiLo()
	return hi, lo, 0, nil
}
