package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/idsim/idsim/generators/vtime/overlay"
)

const vtimeAbout = `Writes into DIR a go build -overlay file, generated from the installed Go
toolchain's own sources, that makes time.Now, time.Since, time.Until and
time.Sleep in a whole test binary follow package
github.com/idsim/idsim/generators/vtime when it installs a clock (as
gentest's Options.VirtualTime does). Prints the path of DIR/overlay.json:

  go test -overlay=$(idsim vtime overlay /tmp/vt) ./...

Run it in the module whose tests use vtime: it finds that module's copy of
the vtime package with go list (or give --vtime-dir). Without a clock
installed, time behaves and costs as stock. On a Go version whose sources
do not match the patches, it fails and writes nothing.`

// cmdVtime runs idsim vtime overlay DIR.
func cmdVtime(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("vtime", "vtime overlay DIR [--vtime-dir DIR] [--json]", vtimeAbout, stderr)
	vtimeDir := fs.String("vtime-dir", "", "the directory of package github.com/idsim/idsim/generators/vtime (default: as go list resolves it here)")
	asJSON := fs.Bool("json", false, "print {\"overlay\": PATH, \"go_version\": V} instead")
	pos, err := parse(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	if len(pos) != 2 || pos[0] != "overlay" {
		fmt.Fprintln(stderr, "idsim vtime: usage: idsim vtime overlay DIR")
		return exitUsage
	}
	dir, err := filepath.Abs(pos[1])
	if err != nil {
		fmt.Fprintln(stderr, "idsim vtime:", err)
		return exitUsage
	}
	tc, err := overlay.Installed()
	if err != nil {
		fmt.Fprintln(stderr, "idsim vtime:", err)
		return exitFailed
	}
	vt := *vtimeDir
	if vt == "" {
		if vt, err = overlay.VtimeDir("."); err != nil {
			fmt.Fprintln(stderr, "idsim vtime:", err)
			return exitFailed
		}
	} else if vt, err = filepath.Abs(vt); err != nil {
		fmt.Fprintln(stderr, "idsim vtime:", err)
		return exitUsage
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(stderr, "idsim vtime:", err)
		return exitFailed
	}
	path, err := overlay.Generate(dir, tc, vt)
	if err != nil {
		fmt.Fprintln(stderr, "idsim vtime:", err)
		return exitFailed
	}
	if *asJSON {
		js, _ := json.Marshal(struct {
			Overlay   string `json:"overlay"`
			GoVersion string `json:"go_version"`
		}{path, tc.Version})
		fmt.Fprintf(stdout, "%s\n", js)
		return exitOK
	}
	fmt.Fprintln(stdout, path)
	return exitOK
}
