package check_test

import (
	"fmt"

	"github.com/idsim/idsim/sim/check"
	"github.com/idsim/idsim/sim/record"
)

func ExampleDuplicates() {
	a, b := record.New(0), record.New(1)
	a.Append(100, 10) // ID 100 issued by worker 0 at true time 10ns
	a.Append(101, 20)
	b.Append(200, 15)
	b.Append(100, 30) // worker 1 issues 100 again
	for _, d := range check.Duplicates([]*record.Log{a, b}) {
		fmt.Printf("ID %d: %d extra copy, first by worker %d at %dns, again by worker %d at %dns\n",
			d.ID, d.Extra(), d.Occurrences[0].Worker, d.Occurrences[0].Time, d.Occurrences[1].Worker, d.Occurrences[1].Time)
	}
	// Output: ID 100: 1 extra copy, first by worker 0 at 10ns, again by worker 1 at 30ns
}

func ExampleOrder() {
	var o check.Order
	for _, id := range []uint64{1, 5, 3, 8} {
		if !o.Next(id) {
			fmt.Println(id, "is out of order")
		}
	}
	// Output: 3 is out of order
}
