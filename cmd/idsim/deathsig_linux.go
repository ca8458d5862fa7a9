package main

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel kill the supervised child if idsim itself
// is killed (SIGKILL cannot be passed on).
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
