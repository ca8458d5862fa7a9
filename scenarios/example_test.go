package scenarios_test

import (
	"fmt"

	"github.com/idsim/idsim/scenarios"
)

// A scenario is a YAML document; Run compares its schemes under the same
// faults and checks the expectations.
func Example() {
	sc, err := scenarios.Parse("example.yaml", []byte(`
name: example
duration: 2s
workers: {count: 8}
load: {per_worker: 1000/s}
schemes:
  - {label: naive, kind: snowflake, layout: twitter, on_clock_backward: ignore}
  - {label: safe,  kind: snowflake, layout: twitter, on_clock_backward: error}
faults:
  - {kind: clock_step, at: 1s, workers: [5], by: -300ms}
expect:
  naive: {duplicates: ">0"}
  safe:  {unique: true}
`))
	if err != nil {
		panic(err)
	}
	res, err := scenarios.Run(sc, scenarios.Options{})
	if err != nil {
		panic(err)
	}
	for _, r := range res.Runs {
		fmt.Printf("%s: %d duplicates, %d errors, expectations held: %v\n", r.Scheme, r.Duplicates, r.Errors, r.Passed)
	}
	// Output:
	// naive: 130 duplicates, 0 errors, expectations held: true
	// safe: 0 duplicates, 303 errors, expectations held: true
}

// Bad input is reported at its place in the file.
func ExampleParse_error() {
	_, err := scenarios.Parse("bad.yaml", []byte("name: bad\nduration: 10 seconds\n"))
	fmt.Println(err)
	// Output:
	// bad.yaml:2:11: want a duration with a unit, such as 1500ms, -1.5s or 2m; got "10 seconds"
	//     2 | duration: 10 seconds
	//       |           ^
}
