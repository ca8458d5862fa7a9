package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// An endless or huge input is refused at the cap, not read until memory
// runs out.
func TestLoadRefusesHugeInput(t *testing.T) {
	done := make(chan error, 1)
	go func() { _, err := Load("/dev/zero"); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "/dev/zero: larger than 1 MiB") {
			t.Errorf("Load(/dev/zero): %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Load(/dev/zero) still reading after 10 s")
	}
	big := filepath.Join(t.TempDir(), "big.yaml")
	os.WriteFile(big, []byte("name: big\n# "+strings.Repeat("x", MaxFileSize)+"\n"), 0o644)
	if _, err := Load(big); err == nil || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Errorf("a file over the cap: %v", err)
	}
}

// A UTF-8 byte order mark before the YAML is ignored.
func TestParseIgnoresByteOrderMark(t *testing.T) {
	sc, err := Parse("bom.yaml", []byte("\ufeff"+flaky))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "flaky" {
		t.Errorf("name %q", sc.Name)
	}
	// Positions of errors are still those of the file.
	_, err = Parse("bom.yaml", []byte("\ufeffname: x\nbogus: 1\n"))
	if err == nil || !strings.Contains(err.Error(), "bom.yaml:2:") {
		t.Errorf("error %v, want it at line 2", err)
	}
}

func TestValidName(t *testing.T) {
	for _, ok := range []string{"a", "ntp-backward", "x.min", "v4_16"} {
		if err := ValidName("scenario name", ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", ".", "..", "../x", "a/b", `a\b`, ".hidden", "Upper", "a b", "x\x00"} {
		if err := ValidName("scenario name", bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
