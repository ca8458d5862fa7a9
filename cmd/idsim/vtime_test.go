package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVtimeOverlay(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	dir := t.TempDir()
	var out, errs bytes.Buffer
	if st := cli([]string{"vtime", "overlay", dir}, &out, &errs); st != exitOK {
		t.Fatalf("status %d: %s", st, errs.String())
	}
	path := strings.TrimSpace(out.String())
	if path != filepath.Join(dir, "overlay.json") {
		t.Fatalf("printed %q", path)
	}
	js, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ov struct{ Replace map[string]string }
	if err := json.Unmarshal(js, &ov); err != nil || len(ov.Replace) != 5 {
		t.Fatalf("overlay.json: %v, %s", err, js)
	}
	if st := cli([]string{"vtime", "overlay"}, &out, &errs); st != exitUsage {
		t.Errorf("no DIR: status %d", st)
	}
}
