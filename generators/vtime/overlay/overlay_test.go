package overlay

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestApplyRefusesMissingOrRepeatedAnchor(t *testing.T) {
	ps := []patch{{"runtimeNow()", "vtimeNow()"}}
	if _, err := apply("go1.99", "/g/src/time/time.go", "time/time.go", "x := nothing()", ps); err == nil ||
		!strings.Contains(err.Error(), "go1.99: this Go version's time package does not match the patch") ||
		!strings.Contains(err.Error(), `"runtimeNow()"`) || !strings.Contains(err.Error(), "0 copies") {
		t.Errorf("missing anchor: %v", err)
	}
	if _, err := apply("go1.99", "/g/src/time/time.go", "time/time.go", "runtimeNow() runtimeNow()", ps); err == nil || !strings.Contains(err.Error(), "2 copies") {
		t.Errorf("repeated anchor: %v", err)
	}
	got, err := apply("go1.99", "f", "time/time.go", "a runtimeNow() b", ps)
	if err != nil || got != "a vtimeNow() b" {
		t.Errorf("apply = %q, %v", got, err)
	}
}

// TestGenerateAgainstInstalledToolchain patches this machine's Go and
// checks that a mismatching toolchain writes nothing.
func TestGenerateAgainstInstalledToolchain(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	tc, err := Installed()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	vt, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	path, err := Generate(dir, tc, vt)
	if err != nil {
		t.Fatal(err)
	}
	js, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ov Overlay
	if err := json.Unmarshal(js, &ov); err != nil {
		t.Fatal(err)
	}
	if len(ov.Replace) != 5 {
		t.Errorf("overlay replaces %d files, want 5: %v", len(ov.Replace), ov.Replace)
	}
	for orig, patched := range ov.Replace {
		if !filepath.IsAbs(orig) || !strings.HasPrefix(patched, dir) {
			t.Errorf("%s => %s", orig, patched)
		}
	}

	// A toolchain whose time.go lacks an anchor: an error, no output.
	fake := t.TempDir()
	for _, pf := range patchedFiles {
		src, err := os.ReadFile(filepath.Join(tc.GOROOT, "src", pf.rel))
		if err != nil {
			t.Fatal(err)
		}
		if pf.rel == "time/sleep.go" {
			src = []byte(strings.Replace(string(src), "func Sleep(d Duration)\n", "func Sleep(d Duration) {}\n", 1))
		}
		os.MkdirAll(filepath.Join(fake, "src", filepath.Dir(pf.rel)), 0o755)
		if err := os.WriteFile(filepath.Join(fake, "src", pf.rel), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	_, err = Generate(out, Toolchain{GOROOT: fake, Version: "go9.9"}, vt)
	if err == nil || !strings.Contains(err.Error(), "go9.9: this Go version's time package does not match the patch") {
		t.Errorf("mismatching toolchain: %v", err)
	}
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Errorf("a failed Generate wrote %d entries", len(ents))
	}
}
