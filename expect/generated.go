package expect

import "github.com/idsim/idsim/reports"

// generated compares the count of IDs issued.
var generated = count("generated", func(r *reports.Run) int64 { return r.Generated })
