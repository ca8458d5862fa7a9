package coord

import (
	"errors"
	"testing"
)

func claim(t *testing.T, c *Coordinator, now int64, from int, r Claim) ClaimReply {
	t.Helper()
	rep, ok := c.Handle(now, from, r).(ClaimReply)
	if !ok {
		t.Fatalf("claim from %d at %d: no reply", from, now)
	}
	return rep
}

func TestLowestFreeSkipsLiveSessionsAndReusesExpiredOnes(t *testing.T) {
	c := &Coordinator{}
	for w := range 3 {
		if r := claim(t, c, 0, w, Claim{Strategy: LowestFree, Lo: 0, Hi: 3, TTL: 100}); r.ID != int64(w) || r.Err != nil {
			t.Fatalf("worker %d got %d, %v", w, r.ID, r.Err)
		}
	}
	if r := claim(t, c, 50, 3, Claim{Strategy: LowestFree, Lo: 0, Hi: 3, TTL: 100}); !errors.Is(r.Err, ErrNoFreeID) {
		t.Fatalf("full range: %+v", r)
	}
	// Worker 1 renews; 0 and 2 do not and expire at 100.
	if r := c.Handle(99, 1, KeepAlive{Session: 2}).(KeepAliveReply); !r.OK {
		t.Fatal("renewal refused")
	}
	if r := claim(t, c, 100, 3, Claim{Strategy: LowestFree, Lo: 0, Hi: 3, TTL: 100}); r.ID != 0 {
		t.Fatalf("after expiry got %d, want 0", r.ID)
	}
	if r := c.Handle(101, 0, KeepAlive{Session: 1}).(KeepAliveReply); r.OK || r.Expired != 100 {
		t.Fatalf("expired session renewed: %+v", r)
	}
	if g := c.Grants[0]; g.Expired != 100 {
		t.Errorf("grant 0 expired at %d", g.Expired)
	}
	if g := c.Holding(3, 0, 150); g == nil || g.Session != 4 {
		t.Errorf("holding: %+v", g)
	}
}

func TestSequentialModWrapsOntoLiveHolders(t *testing.T) {
	c := &Coordinator{SeqStart: 6}
	var ids []int64
	for w := range 4 {
		ids = append(ids, claim(t, c, 0, w, Claim{Strategy: SequentialMod, Lo: 0, Hi: 8, TTL: 1000}).ID)
	}
	// Sequences 6, 7, 8, 9 modulo 8: the third claimant gets 0 while
	// nothing checks it, and nothing stops two live holders of one ID.
	if want := []int64{6, 7, 0, 1}; ids[0] != want[0] || ids[1] != want[1] || ids[2] != want[2] || ids[3] != want[3] {
		t.Fatalf("ids %v, want %v", ids, want)
	}
	c2 := &Coordinator{}
	for w := range 9 {
		claim(t, c2, 0, w, Claim{Strategy: SequentialMod, Lo: 0, Hi: 8, TTL: 1000})
	}
	if c2.Grants[8].ID != c2.Grants[0].ID {
		t.Errorf("the 9th claim got %d, want the 1st one's %d", c2.Grants[8].ID, c2.Grants[0].ID)
	}
}

func TestHighWaterMarkIsKeptPerID(t *testing.T) {
	c := &Coordinator{}
	r := claim(t, c, 0, 0, Claim{Strategy: Static, Lo: 5, TTL: 100, HighWater: 1000})
	if r.PrevHighWater != 0 || r.HighWater != 1000 {
		t.Fatalf("%+v", r)
	}
	if k := c.Handle(10, 0, KeepAlive{Session: r.Session, HighWater: 2000}).(KeepAliveReply); k.HighWater != 2000 {
		t.Fatalf("%+v", k)
	}
	// A lower proposal never lowers the mark.
	if k := c.Handle(20, 0, KeepAlive{Session: r.Session, HighWater: 1500}).(KeepAliveReply); k.HighWater != 2000 {
		t.Fatalf("%+v", k)
	}
	// A restarted process with its clock set back learns the old mark.
	r2 := claim(t, c, 30, 0, Claim{Strategy: Static, Lo: 5, TTL: 100, HighWater: 500})
	if r2.PrevHighWater != 2000 || r2.HighWater != 2000 {
		t.Fatalf("%+v", r2)
	}
}

func TestPartitionDropsRequests(t *testing.T) {
	c := &Coordinator{}
	c.Partition([]int{2}, 100, 200)
	if r := c.Handle(150, 2, Claim{Strategy: LowestFree, Lo: 0, Hi: 4, TTL: 10}); r != nil {
		t.Fatalf("partitioned claim answered: %+v", r)
	}
	if r := c.Handle(150, 1, Claim{Strategy: LowestFree, Lo: 0, Hi: 4, TTL: 10}); r == nil {
		t.Fatal("worker outside the partition cut off")
	}
	if r := c.Handle(200, 2, Claim{Strategy: LowestFree, Lo: 0, Hi: 4, TTL: 10}); r == nil {
		t.Fatal("partition did not heal")
	}
	if c.Dropped != 1 || c.Requests != 3 {
		t.Errorf("dropped %d of %d", c.Dropped, c.Requests)
	}
}
