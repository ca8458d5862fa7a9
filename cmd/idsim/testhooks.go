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
func init() {
	d, err := time.ParseDuration(os.Getenv("IDSIM_TEST_COMMIT_DELAY"))
	if err != nil {
		return
	}
	commitHook = func() {
		fmt.Fprintln(os.Stderr, "idsim-test: committing")
		time.Sleep(d)
	}
}
