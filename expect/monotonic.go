package expect

import (
	"fmt"
	"time"

	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/reports"
)

// monotonic: true holds when every worker's IDs strictly increased.
var monotonic = Kind{Key: "monotonic", Bool: true, Eval: func(r *reports.Run, _ kind.Scheme, _ time.Duration, w Want) (string, bool) {
	return fmt.Sprintf("%d violations", r.MonotonicViolations), (r.MonotonicViolations == 0) == w.Bool
}}
