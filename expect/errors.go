package expect

import "github.com/idsim/idsim/reports"

// errors compares the count of calls that returned an error.
var errorCount = count("errors", func(r *reports.Run) int64 { return r.Errors })
