package expect

import "github.com/idsim/idsim/reports"

// delayed_calls compares the count of calls that took over a millisecond.
var delayedCalls = count("delayed_calls", func(r *reports.Run) int64 { return r.DelayedCalls })
