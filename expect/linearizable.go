package expect

import (
	"fmt"
	"time"

	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/reports"
)

// linearizable: true holds when porcupine found the allocator's history
// linearizable.
var linearizable = Kind{
	Key: "linearizable", Bool: true,
	AppliesTo: func(s kind.Scheme, label, kindName string) error {
		if _, ok := s.(kind.Allocator); !ok {
			return fmt.Errorf("linearizable applies to central allocators, whose allocations form a history; %q is %s, which has none", label, kindName)
		}
		return nil
	},
	Eval: func(r *reports.Run, _ kind.Scheme, _ time.Duration, w Want) (string, bool) {
		if r.Linearizable == nil {
			return "not checked", false
		}
		got := "linearizable"
		if !*r.Linearizable {
			got = "not linearizable: " + r.LinearizabilityViolation
		}
		return got, *r.Linearizable == w.Bool
	},
}
