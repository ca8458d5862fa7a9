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
// for bad input or usage, 3 when idsim itself failed (a bug), 130 and 143
// when stopped by SIGINT or SIGTERM.
package main

import (
	"os"
)

func main() {
	if status, ok := supervise(os.Stderr); ok {
		os.Exit(status)
	}
	reportCrashes()
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "run", "sweep", "merge", "report", "minimize", "minimise":
			// live stops its run itself and then removes its etcd's
			// data (cancelOnSignal); check has its own spill files.
			onInterrupt(os.Stderr)
		}
	}
	if startHook != nil {
		startHook()
	}
	status := guarded(os.Stderr, func() int { return cli(os.Args[1:], os.Stdout, os.Stderr) })
	if int(interrupted.Load()) != status {
		stop() // a signal in the last moments still says so
	}
	os.Exit(status)
}

// startHook, if set, runs before the command; only test builds set it
// (see testhooks.go).
var startHook func()
