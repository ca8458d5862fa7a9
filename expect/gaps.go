package expect

import "github.com/idsim/idsim/reports"

// gaps compares the count of IDs allocated but lost (range batching).
var gaps = count("gaps", func(r *reports.Run) int64 { return r.Gaps })
