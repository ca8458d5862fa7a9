package ulid_test

import (
	"fmt"

	"github.com/idsim/idsim/generators/clock"
	"github.com/idsim/idsim/generators/entropy"
	"github.com/idsim/idsim/generators/ulid"
)

// Within one millisecond a monotonic generator increments the random
// part, so ULIDs sort in the order they were made.
func ExampleNew() {
	clk := &clock.Manual{Wall: 1469922850259 * 1e6}
	g, _ := ulid.New(ulid.Config{}, clk, entropy.Secure())
	a, _ := g.Next()
	b, _ := g.Next()
	fmt.Println(a.String()[:10], a.String() < b.String())
	// Output: 01ARZ3NDEK true
}

func ExampleParse() {
	u, _ := ulid.Parse("01ARZ3NDEKTSV4RRFFQ69G5FAV") // the specification's example
	fmt.Println(u.Time())
	// Output: 2016-07-30 23:54:10.259 +0000 UTC
}
