package expect

import "github.com/idsim/idsim/reports"

// late_ids compares the count of IDs out of time order beyond the sort window.
var lateIDs = count("late_ids", func(r *reports.Run) int64 { return r.LateIDs })
