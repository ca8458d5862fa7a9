package expect

import "github.com/idsim/idsim/reports"

// monotonic_violations compares the count of IDs not greater than the same worker's previous one.
var monotonicViolations = count("monotonic_violations", func(r *reports.Run) int64 { return r.MonotonicViolations })
