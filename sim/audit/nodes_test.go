package audit

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/idsim/idsim/generators/snowflake"
)

// TestParseNodes checks the normal form ParseNodes keeps — sorted,
// merged where ranges overlap or touch — and what it refuses.
func TestParseNodes(t *testing.T) {
	twitter, ok := snowflake.Preset("twitter")
	if !ok {
		t.Fatal("no twitter layout")
	}
	for _, tt := range []struct{ in, want string }{
		{"3,1-2", "1-3"},
		{"0-5,7", "0-5,7"},
		{"7,0-5", "0-5,7"},
		{"5,5", "5"},
		{"1-10,2-3", "1-10"},
		{"2-3,1-10", "1-10"},
		{"1-3,4-6", "1-6"},
		{"4-6,1-3", "1-6"},
		{"1-3,5-6", "1-3,5-6"},
		{"1-4,3-9,20", "1-9,20"},
		{" 2 , 0 ", "0,2"},
		{"9,8,7,1", "1,7-9"},
		{"1023", "1023"},
		{"0", "0"},
	} {
		set, err := ParseNodes(tt.in, &twitter)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if got := set.String(); got != tt.want {
			t.Errorf("%q reads as %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct{ in, want string }{
		{"", "is not a node ID"},
		{"a", "is not a node ID"},
		{"-1", "is not a node ID"},
		{"3-1", "is not a range"},
		{"1-", "is not a range"},
		{"1-x", "is not a range"},
		{"1024", "node IDs are 0-1023 (5 datacenter and 5 worker bits)"},
		{"5-1024", "node IDs are 0-1023"},
	} {
		if _, err := ParseNodes(tt.in, &twitter); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.in, err, tt.want)
		}
	}
	if set, err := ParseNodes("3-3", &twitter); err != nil || set.String() != "3" {
		t.Errorf("3-3: %v %v", set, err)
	}
	// Without a layout only the syntax is checked.
	if set, err := ParseNodes("5000000000", nil); err != nil || !set.Contains(5000000000) {
		t.Errorf("no layout: %v %v", set, err)
	}
}

// TestNodeSetAgainstBruteForce compares Contains and String with a plain
// set on random lists of IDs and ranges.
func TestNodeSetAgainstBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		var parts []string
		in := map[int64]bool{}
		for range 1 + r.IntN(6) {
			a := r.Int64N(40)
			b := a + r.Int64N(6)
			if r.IntN(3) == 0 {
				b = a
				parts = append(parts, fmt.Sprint(a))
			} else {
				parts = append(parts, fmt.Sprintf("%d-%d", a, b))
			}
			for x := a; x <= b; x++ {
				in[x] = true
			}
		}
		text := strings.Join(parts, ",")
		set, err := ParseNodes(text, nil)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		for x := int64(-2); x < 50; x++ {
			if set.Contains(x) != in[x] {
				t.Fatalf("%q (read as %q): Contains(%d) = %v", text, set, x, !in[x])
			}
		}
		// The normal form: each range starts after a gap.
		for i, rg := range set.ranges {
			if rg[0] > rg[1] || (i > 0 && rg[0] <= set.ranges[i-1][1]+1) {
				t.Fatalf("%q: ranges %v are not sorted, disjoint and apart", text, set.ranges)
			}
		}
		again, err := ParseNodes(set.String(), nil)
		if err != nil || again.String() != set.String() {
			t.Fatalf("%q: %q reads back as %v, %v", text, set, again, err)
		}
	}
}
