package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/idsim/idsim/reports"
)

// FuzzReport feeds report a results.json, mutated: it must refuse it
// with an error naming the file, or compare it without panicking.
func FuzzReport(f *testing.F) {
	dir := f.TempDir()
	os.WriteFile(filepath.Join(dir, "small.yaml"), []byte(small), 0o644)
	if code, out, errs := idsim(f, dir, "run", "small.yaml", "--quiet", "--out", "out"); code != 0 {
		f.Fatalf("run: %d %s%s", code, out, errs)
	}
	b, err := os.ReadFile(filepath.Join(dir, "out", "small", "results.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"scenario":"x","runs":[{"scheme":"a","duplicates":-1,"generated":-5}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseResults("r.json", b)
		if err != nil {
			return
		}
		c := reports.Comparison{Results: []*reports.Results{r}}
		chart, err := c.Chart()
		if err != nil {
			t.Fatalf("accepted, then the chart failed: %v", err)
		}
		if _, err := c.HTML(chart); err != nil {
			t.Fatalf("accepted, then the page failed: %v", err)
		}
		c.Markdown("comparison.png")
	})
}
