//go:build !unix

package main

import "io"

// supervise runs the command in a child process on Unix only; here the
// command runs in this process.
func supervise(stderr io.Writer) (int, bool) { return 0, false }

func reportCrashes() {}
