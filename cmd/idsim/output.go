package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"

	"github.com/idsim/idsim/reports"
)

// writing is held while output is being put on disk (temporary files
// written, renamed into place, removed). The interrupt handler takes it
// before exiting, so an interrupt never stops a command half way through
// replacing its output: what is on disk is the old output or the new,
// whole, and no temporary file is left.
var writing sync.Mutex

// commit runs f, which writes output, so that an interrupt waits for it.
// A signal that arrived meanwhile stops the process as soon as f is done,
// before the command goes on.
func commit(f func() error) error {
	writing.Lock()
	defer writing.Unlock()
	if commitHook != nil {
		commitHook()
	}
	err := f()
	stop()
	return err
}

// commitHook, if set, runs at the start of every commit. Only binaries
// built with the tag idsim_testhooks set it, for tests that interrupt a
// commit (see testhooks.go).
var commitHook func()

// checkOut checks, before any work, that output can go into the
// directory out: it is a directory, or it does not exist yet and the
// nearest existing directory above it is one; and nothing at out/<name>
// for the names given is a file or a link that writing would replace.
func checkOut(out string, names ...string) error {
	if out == "" {
		return errors.New("--out is empty: name a directory")
	}
	st, err := os.Stat(out)
	switch {
	case err == nil && !st.IsDir():
		return fmt.Errorf("--out %s: exists and is not a directory", out)
	case err == nil:
	default:
		// Missing, or a file above it (ENOTDIR): say which.
		if e := creatable(out); e != nil {
			return fmt.Errorf("--out %s: %w", out, e)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("--out %s: %w", out, err)
		}
	}
	for _, n := range names {
		if err := reports.CheckTarget(filepath.Join(out, n)); err != nil {
			return err
		}
	}
	return nil
}

// creatable returns an error unless the missing path could be created
// as a directory: the nearest existing path above it is a directory.
func creatable(path string) error {
	for p := filepath.Dir(filepath.Clean(path)); ; p = filepath.Dir(p) {
		st, err := os.Stat(p)
		if err == nil {
			if !st.IsDir() {
				return fmt.Errorf("%s is not a directory", p)
			}
			return nil
		}
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return err
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// checkOutFile checks, before any work, that a file can be written at
// path: it is not a directory, and its directory exists.
func checkOutFile(path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("--out %s: is a directory; name the file to write", path)
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("--out %s: %w", path, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("--out %s: %s is not a directory", path, dir)
	}
	return nil
}

// writeFiles writes each file (name relative to dir) atomically, creating
// dir, as one commit.
func writeFiles(dir string, files map[string][]byte) error {
	return commit(func() error {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		for _, name := range sortedKeys(files) {
			if err := reports.WriteFile(filepath.Join(dir, name), files[name]); err != nil {
				return err
			}
		}
		return nil
	})
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// writeResults renders a run's output and replaces out/<scenario> with
// it as one commit; it returns the directory.
func writeResults(out string, res *reports.Results) (string, error) {
	files, err := reports.Render(res)
	if err != nil {
		return "", err
	}
	var dir string
	err = commit(func() (err error) {
		dir, err = reports.WriteDir(out, res.Scenario, files)
		return err
	})
	return dir, err
}
