//go:build unix

package reports

import (
	"io/fs"
	"syscall"
)

// umaskForTest returns the process's umask.
func umaskForTest() fs.FileMode {
	m := syscall.Umask(0)
	syscall.Umask(m)
	return fs.FileMode(m)
}
