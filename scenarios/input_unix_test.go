//go:build unix

package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A named pipe in a scenario directory is refused, not opened (which
// would wait for a writer for ever).
func TestLoadAllRefusesFIFO(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(flaky), 0o644)
	if err := syscall.Mkfifo(filepath.Join(dir, "b.yaml"), 0o644); err != nil {
		t.Skip("no named pipes here:", err)
	}
	done := make(chan error, 1)
	go func() { _, err := LoadAll(dir); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "b.yaml: a named pipe, not a scenario file") {
			t.Errorf("LoadAll: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("LoadAll hangs on a named pipe")
	}
}
