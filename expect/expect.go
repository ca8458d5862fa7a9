// Package expect holds the expectations a scenario file can state about a
// scheme's run — unique: true, duplicates: ">0", linearizable: true —
// one file each, listed once in the catalogue. An expectation says which
// schemes it applies to and how it reads a run.
package expect

import (
	"fmt"
	"slices"
	"time"

	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/reports"
	"github.com/idsim/idsim/spec"
)

// Kind is one expectation.
type Kind struct {
	// Key is the expectation's key in scenario files.
	Key string
	// Bool is true for an expectation written true or false, false for
	// one written as a count or a comparison such as ">0".
	Bool bool
	// AppliesTo, when set, says why the expectation cannot apply to a
	// scheme (nil when it does).
	AppliesTo func(s kind.Scheme, label, kindName string) error
	// Eval reads the run of scheme s: what it shows, and whether it
	// holds for w. window is the scenario's rate window.
	Eval func(r *reports.Run, s kind.Scheme, window time.Duration, w Want) (got string, ok bool)
}

// Want is what a scenario expects: a boolean or a comparison.
type Want struct {
	Bool bool
	Cmp  spec.Comparison
}

// String renders the wanted value as results.json and reports show it.
func (w Want) String(k Kind) string {
	if k.Bool {
		return fmt.Sprint(w.Bool)
	}
	return w.Cmp.String()
}

// catalogue lists the expectations in the order runs evaluate them.
var catalogue = []Kind{
	unique, monotonic, withinCeiling, duplicates, monotonicViolations, errorCount,
	generated, unserved, delayedCalls, lateIDs, gaps, linearizable,
}

// All returns the expectations in catalogue order.
func All() []Kind { return slices.Clone(catalogue) }

// Lookup returns the expectation of that key.
func Lookup(key string) (Kind, bool) {
	for _, k := range catalogue {
		if k.Key == key {
			return k, true
		}
	}
	return Kind{}, false
}

// Keys lists every key in catalogue order.
func Keys() []string {
	var out []string
	for _, k := range catalogue {
		out = append(out, k.Key)
	}
	return out
}

// count is an expectation on one count of a run.
func count(key string, of func(r *reports.Run) int64) Kind {
	return Kind{Key: key, Eval: func(r *reports.Run, _ kind.Scheme, _ time.Duration, w Want) (string, bool) {
		n := of(r)
		return fmt.Sprint(n), w.Cmp.Holds(n)
	}}
}
