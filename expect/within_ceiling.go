package expect

import (
	"fmt"
	"time"

	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/reports"
)

// within_ceiling: true holds when no worker issued faster than its
// layout's ceiling. A rate window can overlap one tick more than it
// spans, so a worker at the ceiling may show up to one tick's worth
// above it.
var withinCeiling = Kind{
	Key: "within_ceiling", Bool: true,
	AppliesTo: func(s kind.Scheme, label, kindName string) error {
		if _, ok := s.(kind.Ceiling); !ok {
			return fmt.Errorf("within_ceiling applies to schemes whose layouts cap the IDs per tick; %q is %s, which has no ceiling", label, kindName)
		}
		return nil
	},
	Eval: func(r *reports.Run, s kind.Scheme, window time.Duration, w Want) (string, bool) {
		c := s.(kind.Ceiling)
		limit := c.CeilingPerWorker() * (1 + float64(c.Tick())/float64(window))
		return fmt.Sprintf("peak %.0f IDs/s per worker, ceiling %.0f", r.PeakWorkerRate, c.CeilingPerWorker()), (r.PeakWorkerRate <= limit) == w.Bool
	},
}
