package record

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// anonymousFile makes a temporary file in dir that has no name at any
// moment (O_TMPFILE, see open(2)), so nothing is left behind however the
// process ends. File systems without O_TMPFILE fall back to making a
// named file and unlinking it at once.
func anonymousFile(dir string) (*os.File, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	fd, err := unix.Open(dir, unix.O_RDWR|unix.O_TMPFILE|unix.O_CLOEXEC, 0o600)
	if err == nil {
		return os.NewFile(uintptr(fd), dir+"/(record spill)"), nil
	}
	if errors.Is(err, unix.EISDIR) || errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EINVAL) {
		return unlinkedFile(dir)
	}
	return nil, &os.PathError{Op: "open", Path: dir, Err: err}
}
