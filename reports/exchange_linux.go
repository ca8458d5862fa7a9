//go:build linux && (amd64 || arm64)

package reports

import (
	"errors"
	"os"
	"syscall"
	"unsafe"
)

// renameExchange is RENAME_EXCHANGE from linux/fs.h.
const renameExchange = 1 << 1

// atFDCWD is AT_FDCWD from linux/fcntl.h: paths are relative to the
// working directory.
const atFDCWD = -100

// exchange swaps the paths a and b atomically with renameat2(2). It
// returns errNoExchange where the kernel or the filesystem does not
// support RENAME_EXCHANGE.
func exchange(a, b string) error {
	pa, err := syscall.BytePtrFromString(a)
	if err != nil {
		return err
	}
	pb, err := syscall.BytePtrFromString(b)
	if err != nil {
		return err
	}
	cwd := atFDCWD
	_, _, e := syscall.Syscall6(sysRenameat2, uintptr(cwd), uintptr(unsafe.Pointer(pa)), uintptr(cwd), uintptr(unsafe.Pointer(pb)), renameExchange, 0)
	switch {
	case e == 0:
		return nil
	case errors.Is(e, syscall.ENOSYS), errors.Is(e, syscall.EINVAL), errors.Is(e, syscall.EOPNOTSUPP):
		return errNoExchange
	}
	return &os.LinkError{Op: "renameat2 RENAME_EXCHANGE", Old: a, New: b, Err: e}
}
