package check

// Order checks that a stream of IDs is strictly increasing: each ID is
// greater than the one before it. The zero value is ready to use; use one
// per worker.
type Order struct {
	last    uint64
	started bool
}

// Next observes id and reports whether it is strictly greater than the
// previous ID. The first ID is always in order.
func (o *Order) Next(id uint64) bool {
	ok := !o.started || id > o.last
	o.last, o.started = id, true
	return ok
}

// Last returns the previous ID observed and whether there was one.
func (o *Order) Last() (uint64, bool) { return o.last, o.started }

// Order128 is Order for 128-bit IDs, compared as (high, low) pairs.
type Order128 struct {
	hi, lo  uint64
	started bool
}

// Next observes the ID (hi, lo) and reports whether it is strictly
// greater than the previous one.
func (o *Order128) Next(hi, lo uint64) bool {
	ok := !o.started || hi > o.hi || hi == o.hi && lo > o.lo
	o.hi, o.lo, o.started = hi, lo, true
	return ok
}

// Last returns the previous ID observed and whether there was one.
func (o *Order128) Last() (hi, lo uint64, ok bool) { return o.hi, o.lo, o.started }
