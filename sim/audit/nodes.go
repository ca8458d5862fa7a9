package audit

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/idsim/idsim/generators/snowflake"
)

// NodeSet is a set of node IDs kept as sorted, disjoint ranges: its size
// is that of the text it was parsed from, however many IDs it holds.
type NodeSet struct {
	ranges [][2]int64 // inclusive, sorted, disjoint and not adjacent
}

// ParseNodes reads node IDs and ranges such as "0-31,40" (datacenter and
// worker fields together, as Layout.SplitNode numbers them) and checks
// each against the layout: a node ID must fit its datacenter and worker
// bits. A nil layout checks only the syntax.
func ParseNodes(s string, l *snowflake.Layout) (*NodeSet, error) {
	limit := int64(math.MaxInt64)
	if l != nil {
		limit = int64(1)<<l.NodeBits() - 1
	}
	var rs [][2]int64
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.ParseInt(lo, 10, 64)
		if err != nil || a < 0 {
			return nil, fmt.Errorf("%q is not a node ID or a range like 0-31", part)
		}
		b := a
		if isRange {
			if b, err = strconv.ParseInt(hi, 10, 64); err != nil || b < a {
				return nil, fmt.Errorf("%q is not a range like 0-31", part)
			}
		}
		if b > limit {
			return nil, fmt.Errorf("%q: the %s layout's node IDs are 0-%d (%d datacenter and %d worker bits)", part, l.Name, limit, l.Datacenter.Bits, l.Worker.Bits)
		}
		rs = append(rs, [2]int64{a, b})
	}
	slices.SortFunc(rs, func(x, y [2]int64) int { return int(min(max(x[0]-y[0], -1), 1)) })
	var out [][2]int64
	for _, r := range rs {
		if n := len(out); n > 0 && r[0] <= out[n-1][1]+1 {
			out[n-1][1] = max(out[n-1][1], r[1])
			continue
		}
		out = append(out, r)
	}
	return &NodeSet{ranges: out}, nil
}

// Contains reports whether node is in the set.
func (s *NodeSet) Contains(node int64) bool {
	i, _ := slices.BinarySearchFunc(s.ranges, node, func(r [2]int64, n int64) int {
		switch {
		case r[1] < n:
			return -1
		case r[0] > n:
			return 1
		}
		return 0
	})
	return i < len(s.ranges) && s.ranges[i][0] <= node && node <= s.ranges[i][1]
}

// String writes the set as ParseNodes reads it.
func (s *NodeSet) String() string {
	var b strings.Builder
	for i, r := range s.ranges {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(r[0], 10))
		if r[1] != r[0] {
			b.WriteByte('-')
			b.WriteString(strconv.FormatInt(r[1], 10))
		}
	}
	return b.String()
}
