// Command idsim runs deterministic simulations of distributed ID
// generators under faults and reports what broke.
//
//	idsim run ntp-backward            run a shipped scenario
//	idsim run my.yaml --seed 7        run a scenario file with another seed
//	idsim list                        shipped scenarios, schemes, faults, layouts
//	idsim layout twitter              bits, ceilings and horizon of a layout
//	idsim decode 175928847299117063 --layout discord
//
// Exit status: 0 when every expectation held, 1 when one was violated, 2
// for bad input or usage.
package main

import (
	"os"
)

func main() {
	os.Exit(cli(os.Args[1:], os.Stdout, os.Stderr))
}
