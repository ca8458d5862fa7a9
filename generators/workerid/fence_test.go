package workerid

import (
	"testing"
	"time"
)

func TestFence(t *testing.T) {
	f := Fence{TTL: 10 * time.Second, Margin: 3 * time.Second}
	if f.Allows(0) {
		t.Fatal("a fence without a lease allows issuing")
	}
	s := int64(time.Second)
	f.Confirmed(1 * s)
	if !f.Allows(7*s) || f.Allows(8*s) {
		t.Fatalf("renewal sent at 1s: deadline %v, want 8s", f.deadline)
	}
	// A late acknowledgement of an older renewal does not pull the
	// deadline back.
	f.Confirmed(5 * s)
	f.Confirmed(2 * s)
	if d, ok := f.Deadline(); !ok || d != 12*s {
		t.Fatalf("deadline %d, want 12s", d)
	}
	f.Lost()
	if f.Allows(6 * s) {
		t.Fatal("lost lease still allows issuing")
	}
}
