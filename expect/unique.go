package expect

import (
	"fmt"
	"time"

	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/reports"
)

// unique: true holds when no ID was issued twice.
var unique = Kind{Key: "unique", Bool: true, Eval: func(r *reports.Run, _ kind.Scheme, _ time.Duration, w Want) (string, bool) {
	return fmt.Sprintf("%d duplicates", r.Duplicates), (r.Duplicates == 0) == w.Bool
}}
