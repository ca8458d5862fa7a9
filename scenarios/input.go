package scenarios

import (
	"fmt"
	"io"
	"io/fs"
	"os"
)

// MaxFileSize is the largest scenario file idsim reads. Real scenarios
// are a few kilobytes; the cap keeps `idsim run /dev/zero` from reading
// until memory runs out.
const MaxFileSize = 1 << 20

// ValidName reports, as an error saying what is wrong, whether name may
// name a scenario or a scheme. Such names become file and directory names
// (OUT/<scenario>/, linearizability-<scheme>.html), so they are plain
// names: lower case letters, digits, '.', '_' and '-', starting with a
// letter or digit — never a path, never "..". what says what the name is,
// e.g. "scenario name".
func ValidName(what, name string) error {
	if name == "" {
		return fmt.Errorf("missing %s", what)
	}
	if !nameRE.MatchString(name) {
		return fmt.Errorf("%s %q: use lower case letters, digits, '.', '_' and '-', starting with a letter or digit", what, name)
	}
	return nil
}

// ReadFile reads a file of at most limit bytes, refusing larger ones
// before reading them whole. It reads through a LimitReader, so devices
// and pipes (/dev/zero, /dev/stdin) are cut off at the limit too.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("%s: is a directory", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: larger than %s, the most idsim reads from such a file", path, sizeText(limit))
	}
	return b, nil
}

// regularFile returns an error unless path is a regular file (or a
// symbolic link to one): a named pipe in a scenario directory would make
// the open block for ever.
func regularFile(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.Mode().IsRegular() {
		return nil
	}
	what := "not a regular file"
	switch {
	case st.IsDir():
		what = "a directory"
	case st.Mode()&fs.ModeNamedPipe != 0:
		what = "a named pipe"
	case st.Mode()&fs.ModeSocket != 0:
		what = "a socket"
	case st.Mode()&fs.ModeDevice != 0:
		what = "a device"
	}
	return fmt.Errorf("%s: %s, not a scenario file; only regular files are read from a directory (name it on its own to read it anyway)", path, what)
}

func sizeText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
