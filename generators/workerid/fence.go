// Package workerid assigns Snowflake worker IDs and guards their use.
//
// A worker ID is only safe while no other process holds it. A holder
// learns that it lost its ID late — after a pause, a partition, a missed
// renewal — so it must stop issuing IDs on its own, before the
// coordinator can hand the ID to someone else. Fence is that rule, kept
// apart from any client so that the simulator and the etcd allocator
// (Etcd) use the same code.
package workerid

import "time"

// Fence decides, from the worker's monotonic clock alone, whether it may
// still issue IDs under a lease of time-to-live TTL.
//
// The coordinator expires a lease TTL after the last renewal it
// received. A renewal the worker sent at monotonic time s and saw
// acknowledged reached the coordinator after s, so the lease lives at
// least until s + TTL in the coordinator's time. The fence allows issuing
// until s + TTL − Margin: the margin covers the worker's clock running
// slow against the coordinator's and the time between the check and the
// use of an ID. A worker that stops at the deadline stops before anyone
// else can be granted the ID.
type Fence struct {
	TTL    time.Duration
	Margin time.Duration

	deadline int64
	valid    bool
}

// Confirmed records that a claim or renewal sent at monotonic time sent
// (nanoseconds) was acknowledged. Acknowledgements of older requests
// never shorten the deadline.
func (f *Fence) Confirmed(sent int64) {
	d := sent + int64(f.TTL-f.Margin)
	if !f.valid || d > f.deadline {
		f.deadline = d
	}
	f.valid = true
}

// Lost records that the lease is gone.
func (f *Fence) Lost() { f.valid = false }

// Allows reports whether IDs may be issued at monotonic time now.
func (f *Fence) Allows(now int64) bool { return f.valid && now < f.deadline }

// Deadline returns the monotonic time from which the fence stops issuing
// unless a renewal is confirmed, and whether the fence holds a lease.
func (f *Fence) Deadline() (int64, bool) { return f.deadline, f.valid }
