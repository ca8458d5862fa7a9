//go:build unix && !linux

package main

import "os/exec"

// dieWithParent does nothing where the kernel has no parent-death signal.
func dieWithParent(cmd *exec.Cmd) {}
