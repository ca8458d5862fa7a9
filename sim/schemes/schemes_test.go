package schemes

import (
	"strings"
	"testing"
	"time"

	"github.com/idsim/idsim/generators/snowflake"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/sim/coord"
)

func TestFields(t *testing.T) {
	tests := []struct {
		s          Snowflake
		id         sim.Identity
		dc, worker int64
		err        string
	}{
		// One datacenter: the node number spans both fields.
		{Snowflake{Layout: snowflake.Twitter, Datacenters: 1}, sim.Identity{Node: 37}, 1, 5, ""},
		{Snowflake{Layout: snowflake.Twitter, Datacenters: 1}, sim.Identity{Node: 1024}, 0, 0, "does not fit"},
		// Named datacenters go in the datacenter field.
		{Snowflake{Layout: snowflake.Twitter, Datacenters: 3}, sim.Identity{Datacenter: 2, Node: 31}, 2, 31, ""},
		{Snowflake{Layout: snowflake.Twitter, Datacenters: 3}, sim.Identity{Datacenter: 2, Node: 32}, 0, 0, "5 worker bits"},
		// A layout without datacenter bits numbers nodes across datacenters.
		{Snowflake{Layout: snowflake.Instagram, Datacenters: 2}, sim.Identity{Datacenter: 1, Node: 4}, 0, 9, ""},
	}
	for _, tt := range tests {
		dc, w, err := tt.s.Fields(tt.id)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%+v: err %v, want %q", tt.id, err, tt.err)
			}
			continue
		}
		if err != nil || dc != tt.dc || w != tt.worker {
			t.Errorf("%+v on %s: got %d/%d %v, want %d/%d", tt.id, tt.s.Layout.Name, dc, w, err, tt.dc, tt.worker)
		}
	}
}

// With per_datacenter, claim_lowest_free takes IDs from the worker's own
// datacenter's share: the datacenter field of every ID matches.
func TestCoordinatedPerDatacenter(t *testing.T) {
	ids := []sim.Identity{{Datacenter: 0, Node: 0}, {Datacenter: 1, Node: 0}, {Datacenter: 0, Node: 1}, {Datacenter: 1, Node: 1}}
	s := Coordinated{
		Snowflake: Snowflake{Layout: snowflake.Twitter, Datacenters: 2},
		IDs:       WorkerIDs{Strategy: coord.LowestFree, TTL: time.Second, Heartbeat: 300 * time.Millisecond, PerDatacenter: true, Latency: sim.Latency{Base: int64(time.Millisecond)}},
	}
	w, err := sim.New(sim.Config{Seed: 1, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano(), Duration: int64(time.Second), Workers: ids,
		Load: sim.Load{Rate: sim.PerSecond(1000), Pattern: sim.Poisson}, Scheme: s})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for i, l := range w.Logs() {
		n := 0
		l.Each(func(_ int64, id uint64, _ int64) bool {
			p, _ := snowflake.Twitter.Decode(id)
			if p.Datacenter != int64(ids[i].Datacenter) {
				t.Fatalf("worker %d (datacenter %d) issued an ID of datacenter %d", i, ids[i].Datacenter, p.Datacenter)
			}
			seen[p.Datacenter<<5|p.Worker] = true
			n++
			return true
		})
		if n == 0 {
			t.Errorf("worker %d issued nothing", i)
		}
	}
	if len(seen) != 4 {
		t.Errorf("%d distinct node IDs, want 4", len(seen))
	}
}
