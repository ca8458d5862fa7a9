package reports_test

import (
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/idsim/idsim/reports"
	"github.com/idsim/idsim/scenarios"
)

// report.html renders in a real headless browser with its charts
// visible: the screenshot holds the charts' colours. Needs Chromium
// (apt-get install chromium); skipped without it, except in CI (CI=true),
// where it fails.
func TestReportRendersInHeadlessChromium(t *testing.T) {
	browser := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true and no Chromium on this machine: in CI this test runs, it does not skip (.ci/run installs chromium)")
		}
		t.Skip("no Chromium on this machine (apt-get install chromium to run this test)")
	}
	sc, err := scenarios.Embedded("duplicate-worker-id")
	if err != nil {
		t.Fatal(err)
	}
	res, err := scenarios.Run(sc, scenarios.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir, err := reports.Write(t.TempDir(), res)
	if err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(t.TempDir(), "shot.png")
	cmd := exec.Command(browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--window-size=1100,4000", "--screenshot="+shot, "file://"+filepath.Join(dir, reports.HTMLFile))
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	done := make(chan error, 1)
	go func() { done <- cmd.Run() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("chromium: %v", err)
		}
	case <-time.After(90 * time.Second):
		cmd.Process.Kill()
		t.Fatal("chromium did not finish in 90s")
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// The duplicates chart's bars are the palette's first two colours.
	want := map[[3]uint8]string{{0, 114, 178}: "blue", {230, 159, 0}: "orange"}
	seen := map[string]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if name, ok := want[[3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8)}]; ok {
				seen[name]++
			}
		}
	}
	if seen["blue"] < 500 {
		t.Errorf("the screenshot shows %d pixels of chart blue: the charts did not render (%v)", seen["blue"], image.Rect(0, 0, b.Dx(), b.Dy()))
	}
	t.Logf("chart pixels in the screenshot: %v", seen)
}
