package live

import (
	"path/filepath"
	"strings"
	"testing"
)

// libfaketime reads a relative offset as signed seconds with a fraction.
func TestOffsetText(t *testing.T) {
	for ns, want := range map[int64]string{
		0: "+0", 2e9: "+2", -1e9: "-1", -400e6: "-0.400000000", 1500: "+0.000001500", -2_250_000_001: "-2.250000001",
	} {
		if got := offsetText(ns); got != want {
			t.Errorf("offsetText(%d) = %q, want %q", ns, got, want)
		}
	}
}

// With libfaketime nowhere (not where Debian puts it, no dpkg), Faketime
// says what to install.
func TestFaketimeMissing(t *testing.T) {
	old := faketimePaths
	defer func() { faketimePaths = old }()
	faketimePaths = []string{filepath.Join(t.TempDir(), "libfaketime.so.1")}
	t.Setenv("PATH", t.TempDir())
	t.Setenv(FaketimeEnv, "") // as if unset
	if _, err := Faketime(); err == nil || !strings.Contains(err.Error(), "apt-get install faketime") {
		t.Errorf("Faketime: %v", err)
	}
}
