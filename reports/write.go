package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// Files written for each scenario, inside DIR/<scenario>/.
const (
	ResultsFile    = "results.json"
	ReportFile     = "report.md"
	DuplicatesFile = "duplicates.csv"
)

// JSON returns results.json: indented, with a final newline, and without
// HTML escaping so that ">0" reads as written.
func JSON(r *Results) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// CSV returns duplicates.csv: one row per extra copy of an ID, for every
// run of the scenario.
func CSV(r *Results) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{
		"scheme", "id", "decoded",
		"original_worker", "original_worker_id", "original_index", "original_at_ns", "original_clock",
		"copy_worker", "copy_worker_id", "copy_index", "copy_at_ns", "copy_clock",
		"faults",
	})
	for _, run := range r.Runs {
		for _, d := range run.DuplicateList {
			o, c := d.Original, d.Copy
			w.Write([]string{
				run.Scheme, d.IDText, d.Decoded,
				strconv.Itoa(o.Worker), o.WorkerID, strconv.FormatInt(o.Index, 10), strconv.FormatInt(o.AtNs, 10), o.Clock,
				strconv.Itoa(c.Worker), c.WorkerID, strconv.FormatInt(c.Index, 10), strconv.FormatInt(c.AtNs, 10), c.Clock,
				strings.Join(d.Faults, " "),
			})
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// Write writes results.json, report.md and duplicates.csv into
// dir/<scenario>/, replacing what was there. The files are written into a
// temporary directory first and moved into place, so a failure leaves
// either the old output or none, never a mix. It returns the directory.
func Write(dir string, r *Results) (string, error) {
	files := map[string]func(*Results) ([]byte, error){
		ResultsFile:    JSON,
		ReportFile:     Markdown,
		DuplicatesFile: CSV,
	}
	contents := map[string][]byte{}
	for name, render := range files {
		b, err := render(r)
		if err != nil {
			return "", fmt.Errorf("rendering %s: %w", name, err)
		}
		contents[name] = b
	}
	for name, b := range r.Files {
		contents[name] = b
	}
	charts, err := Charts(r)
	if err != nil {
		return "", err
	}
	var md bytes.Buffer
	md.Write(contents[ReportFile])
	md.WriteString("\n## Charts\n\n")
	for _, c := range charts {
		contents[path.Join(ChartsDir, c.Name+".png")] = c.PNG
		contents[path.Join(ChartsDir, c.Name+".svg")] = c.SVG
		fmt.Fprintf(&md, "![%s](%s/%s.png)\n\n", c.Title, ChartsDir, c.Name)
	}
	fmt.Fprintf(&md, "The same charts, and every finding, are in [%s](%s).\n", HTMLFile, HTMLFile)
	contents[ReportFile] = md.Bytes()
	page, err := HTML(r, charts)
	if err != nil {
		return "", err
	}
	contents[HTMLFile] = page
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	target := filepath.Join(dir, r.Scenario)
	tmp, err := os.MkdirTemp(dir, "."+r.Scenario+".tmp-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	for name, b := range contents {
		p := filepath.Join(tmp, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return "", err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", err
	}
	old := ""
	if _, err := os.Stat(target); err == nil {
		old = tmp + ".old"
		if err := os.Rename(target, old); err != nil {
			return "", err
		}
	}
	if err := os.Rename(tmp, target); err != nil {
		if old != "" {
			os.Rename(old, target)
		}
		return "", err
	}
	if old != "" {
		os.RemoveAll(old)
	}
	return target, nil
}
