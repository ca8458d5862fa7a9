//go:build !linux

package record

import "os"

// anonymousFile makes a temporary file in dir and unlinks it at once, so
// the open file keeps its data and nothing is left behind however the
// process ends (where unlinking an open file is allowed).
func anonymousFile(dir string) (*os.File, error) {
	return unlinkedFile(dir)
}
