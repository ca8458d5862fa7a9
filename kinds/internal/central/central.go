// Package central holds what the central-allocator scheme kinds
// (rangebatch, autoinc, tickets) share: decimal IDs, the database
// service, the linearizability history and the explanation of values
// handed out twice.
package central

import (
	"fmt"
	"strconv"
	"time"

	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/reports"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/sim/lincheck"
	"github.com/idsim/idsim/sim/schemes"
)

// Base is embedded by the central kinds' schemes.
type Base struct {
	Config string
}

// IDBits returns 64.
func (Base) IDBits() int { return 64 }

// Describe says how the scheme is configured.
func (b Base) Describe() string { return b.Config }

// Text renders the value in decimal.
func (Base) Text(_, lo uint64) string { return strconv.FormatUint(lo, 10) }

// Services names the database.
func (Base) Services() []string { return []string{kind.Database} }

// Allocations returns the run's allocation history.
func (Base) Allocations(w *sim.World) []lincheck.Op { return schemes.Allocations(w) }

// ExplainGroup says that the allocator handed the same value to two
// workers; for a worker repeating itself it leaves the harness's
// sentence.
func (Base) ExplainGroup(g *reports.DuplicateGroup, _ *kind.Outcome) string {
	if g.OriginalWorker == g.CopyWorker {
		return ""
	}
	plural := "s"
	if g.Count == 1 {
		plural = ""
	}
	first := g.First
	return fmt.Sprintf("Workers %d and %d were handed the same value by the shared allocator: %d duplicate%s, the first at %s (worker %d at %s, worker %d at %s).",
		g.OriginalWorker, g.CopyWorker, g.Count, plural, first.Copy.At, first.Original.Worker, first.Original.At, first.Copy.Worker, first.Copy.At)
}

// Latency renders the network latency as configs say it.
func Latency(l sim.Latency) string {
	s := fmt.Sprintf(", latency %v", time.Duration(l.Base))
	if l.Jitter > 0 {
		s += fmt.Sprintf(" + up to %v", time.Duration(l.Jitter))
	}
	return s
}
