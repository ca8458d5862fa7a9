package audit

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/idsim/idsim/generators/snowflake"
)

// TestParseNodesForms pins what the mutation run over nodes.go found
// untested: the set ParseNodes reads back as text, sorted and merged,
// and the texts it refuses.
func TestParseNodesForms(t *testing.T) {
	for in, want := range map[string]string{
		"0-31,40":        "0-31,40",
		"40,0-31":        "0-31,40",
		" 1 , 2-3 ":      "1-3",
		"1,2":            "1-2",
		"1,3":            "1,3",
		"3-3":            "3",
		"0":              "0",
		"0-10,5-6":       "0-10",
		"5-6,0-10":       "0-10",
		"0-1,1-5":        "0-5",
		"5,3-4,10-12,11": "3-5,10-12",
		"7,7,7":          "7",
		"+4":             "4",
	} {
		set, err := ParseNodes(in, nil)
		if err != nil {
			t.Errorf("ParseNodes(%q): %v", in, err)
			continue
		}
		if got := set.String(); got != want {
			t.Errorf("ParseNodes(%q).String() = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"x":    "is not a node ID or a range like 0-31",
		"":     "is not a node ID or a range like 0-31",
		"-1":   "is not a node ID or a range like 0-31",
		"1,,2": "is not a node ID or a range like 0-31",
		"3-1":  "is not a range like 0-31",
		"1-x":  "is not a range like 0-31",
		"1-":   "is not a range like 0-31",
	} {
		if _, err := ParseNodes(in, nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseNodes(%q): %v, want an error saying %q", in, err, want)
		}
	}
}

// TestParseNodesLayout: a layout bounds the node IDs at 2^NodeBits - 1.
func TestParseNodesLayout(t *testing.T) {
	l := snowflake.Twitter // 5 datacenter and 5 worker bits
	for _, in := range []string{"0", "1023", "0-1023", "1000-1023,3"} {
		if _, err := ParseNodes(in, &l); err != nil {
			t.Errorf("ParseNodes(%q, twitter): %v", in, err)
		}
	}
	for _, in := range []string{"1024", "0-1024", "2000"} {
		_, err := ParseNodes(in, &l)
		if err == nil || !strings.Contains(err.Error(), "the twitter layout's node IDs are 0-1023 (5 datacenter and 5 worker bits)") {
			t.Errorf("ParseNodes(%q, twitter): %v, want the layout's bound", in, err)
		}
	}
	if s, err := ParseNodes("9223372036854775807", nil); err != nil || s.String() != "9223372036854775807" {
		t.Errorf("the largest node ID without a layout: %v %v", s, err)
	}
}

// TestNodeSetRandom checks ParseNodes, Contains and String against a
// plain membership table for random lists of IDs and ranges, in random
// order, overlapping and adjacent.
func TestNodeSetRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const top = 40
	for range 2000 {
		var in [top + 1]bool
		var parts []string
		for range 1 + r.IntN(6) {
			a := r.IntN(top + 1)
			b := a
			if r.IntN(2) == 0 {
				b = a + r.IntN(top+1-a)
				parts = append(parts, fmt.Sprintf("%d-%d", a, b))
			} else {
				parts = append(parts, fmt.Sprint(a))
			}
			for i := a; i <= b; i++ {
				in[i] = true
			}
		}
		text := strings.Join(parts, ",")
		set, err := ParseNodes(text, nil)
		if err != nil {
			t.Fatalf("ParseNodes(%q): %v", text, err)
		}
		var want []string
		for i := 0; i <= top; i++ {
			if !in[i] || i > 0 && in[i-1] {
				continue
			}
			j := i
			for j < top && in[j+1] {
				j++
			}
			if j == i {
				want = append(want, fmt.Sprint(i))
			} else {
				want = append(want, fmt.Sprintf("%d-%d", i, j))
			}
		}
		if got := set.String(); got != strings.Join(want, ",") {
			t.Fatalf("ParseNodes(%q).String() = %q, want %q", text, got, strings.Join(want, ","))
		}
		for n := int64(-2); n <= top+2; n++ {
			if got, w := set.Contains(n), n >= 0 && n <= top && in[n]; got != w {
				t.Fatalf("ParseNodes(%q).Contains(%d) = %v, want %v", text, n, got, w)
			}
		}
	}
}
