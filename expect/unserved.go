package expect

import "github.com/idsim/idsim/reports"

// unserved compares the count of arrivals never served before the run ended.
var unserved = count("unserved", func(r *reports.Run) int64 { return r.Unserved })
