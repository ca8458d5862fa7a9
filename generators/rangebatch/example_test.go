package rangebatch_test

import (
	"context"
	"fmt"

	"github.com/idsim/idsim/generators/rangebatch"
)

// Two generators share one sequence; each takes ranges of 100 and asks
// for the next range when half of the current one is used.
func Example() {
	seq := rangebatch.NewMemory(1)
	a, _ := rangebatch.New(rangebatch.Config{Batch: 100, PrefetchAt: 0.5}, seq)
	b, _ := rangebatch.New(rangebatch.Config{Batch: 100, PrefetchAt: 0.5}, seq)
	x, _ := a.Next(context.Background())
	y, _ := b.Next(context.Background())
	z, _ := a.Next(context.Background())
	fmt.Println(x, y, z)
	// Output: 1 101 2
}
