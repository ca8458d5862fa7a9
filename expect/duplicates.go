package expect

import "github.com/idsim/idsim/reports"

// duplicates compares the count of extra copies of already issued IDs.
var duplicates = count("duplicates", func(r *reports.Run) int64 { return r.Duplicates })
