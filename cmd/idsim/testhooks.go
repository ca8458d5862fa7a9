//go:build idsim_testhooks

package main

import (
	"fmt"
	"os"
	"time"
)

// In a binary built with -tags idsim_testhooks, IDSIM_TEST_COMMIT_DELAY
// (a duration) makes every commit announce itself on stderr and wait that
// long before writing, so that a test can send a signal while output is
// being written.
//
// IDSIM_TEST_CRASH=goroutine makes the command panic on another
// goroutine, which nothing can recover; =main panics on the main one.
//
// Every such binary says "idsim-test: started" on stderr once its signal
// handling is in place, so that a test knows when a signal will be
// handled rather than kill it.
func init() {
	startHook = func() { fmt.Fprintln(os.Stderr, "idsim-test: started") }
	switch os.Getenv("IDSIM_TEST_CRASH") {
	case "goroutine":
		startHook = func() {
			go panic("test crash on another goroutine")
			time.Sleep(10 * time.Second)
		}
	case "main":
		commitHook = func() { panic("test crash on the main goroutine") }
	}
	d, err := time.ParseDuration(os.Getenv("IDSIM_TEST_COMMIT_DELAY"))
	if err != nil {
		return
	}
	commitHook = func() {
		fmt.Fprintln(os.Stderr, "idsim-test: committing")
		time.Sleep(d)
	}
}
