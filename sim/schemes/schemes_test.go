package schemes

import (
	"strings"
	"testing"

	"github.com/idsim/idsim/generators/snowflake"
	"github.com/idsim/idsim/sim"
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
