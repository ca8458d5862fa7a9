package reports

import (
	"bytes"
	"crypto/rand"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
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

// Write writes results.json, report.md and duplicates.csv (and the HTML
// report and charts) into dir/<scenario>/, replacing what was there: it
// is Render followed by WriteDir. It returns the directory.
func Write(dir string, r *Results) (string, error) {
	files, err := Render(r)
	if err != nil {
		return "", err
	}
	return WriteDir(dir, r.Scenario, files)
}

// Render returns every file of a run's output by its slash-separated
// name inside the output directory, without touching the filesystem.
func Render(r *Results) (map[string][]byte, error) {
	files := map[string]func(*Results) ([]byte, error){
		ResultsFile:    JSON,
		ReportFile:     Markdown,
		DuplicatesFile: CSV,
	}
	contents := map[string][]byte{}
	for name, render := range files {
		b, err := render(r)
		if err != nil {
			return nil, fmt.Errorf("rendering %s: %w", name, err)
		}
		contents[name] = b
	}
	for name, b := range r.Files {
		contents[name] = b
	}
	charts, err := Charts(r)
	if err != nil {
		return nil, err
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
		return nil, err
	}
	contents[HTMLFile] = page
	return contents, nil
}

// WriteDir writes files (by slash-separated name) as the directory
// dir/name, replacing a directory there, and returns its path. The files
// are written into a temporary directory beside it first, then moved
// into place in one step where the system allows (an exchange rename on
// Linux), so that dir/name is always either the old output or the new,
// whole; the temporary directory is removed in every case. Files are
// written with mode 0644 and directories 0755 (less the umask).
//
// name must be a plain name and every file name local to the directory:
// nothing is written outside dir. Something at dir/name that is not a
// directory (a regular file, a symbolic link) is not replaced: that is an
// error, see CheckTarget.
func WriteDir(dir, name string, files map[string][]byte) (string, error) {
	if err := plainName(name); err != nil {
		return "", err
	}
	for f := range files {
		if !filepath.IsLocal(filepath.FromSlash(f)) || strings.HasPrefix(f, "/") {
			return "", fmt.Errorf("output file %q: not a name inside the output directory", f)
		}
	}
	target := filepath.Join(dir, name)
	if err := CheckTarget(target); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := tempName(dir, name, func(p string) error { return os.Mkdir(p, 0o755) })
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	names := make([]string, 0, len(files))
	for f := range files {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		p := filepath.Join(tmp, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(p, files[f], 0o644); err != nil {
			return "", err
		}
	}
	if err := replaceDir(tmp, target); err != nil {
		return "", err
	}
	return target, nil
}

// WriteFile writes b to the file path so that readers see the old content
// or the new, never part of it: it writes a temporary file beside it,
// with mode 0644 (less the umask), and renames it into place. A directory
// at path is not replaced.
func WriteFile(path string, b []byte) error {
	if st, err := os.Lstat(path); err == nil && st.IsDir() {
		return fmt.Errorf("%s is a directory; idsim does not replace it with a file", path)
	}
	var f *os.File
	tmp, err := tempName(filepath.Dir(path), filepath.Base(path), func(p string) (err error) {
		f, err = os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		return err
	})
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// TempPrefix starts the names of the temporary files and directories
// output is written into, beside their final place: ".NAME" + TempPrefix
// + random text.
const TempPrefix = ".tmp-"

// tempName creates, with create, a new path in dir named after name and
// returns it.
func tempName(dir, name string, create func(string) error) (string, error) {
	for range 100 {
		p := filepath.Join(dir, "."+name+TempPrefix+rand.Text()[:12])
		err := create(p)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("no free temporary name for %s in %s", name, dir)
}

// CheckTarget returns an error when path exists and is not a directory
// that output may replace: a regular file, a symbolic link or anything
// else there is somebody's data, not idsim's output, and is left alone.
func CheckTarget(path string) error {
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case st.IsDir():
		return nil
	case st.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s is a symbolic link, not an output directory; idsim does not replace it: remove it or choose another --out", path)
	}
	return fmt.Errorf("%s exists and is not a directory; idsim does not replace it: move it away or choose another --out", path)
}

// plainName returns an error unless name is a single, ordinary path
// element: not empty, not "." or "..", no separator, not hidden (the
// temporary directories are).
func plainName(name string) error {
	if name == "" || name == "." || name == ".." || strings.HasPrefix(name, ".") ||
		strings.ContainsAny(name, `/\`) || strings.ContainsRune(name, 0) {
		return fmt.Errorf("output name %q: not a plain name; nothing is written outside the output directory", name)
	}
	return nil
}

// errNoExchange says the system cannot swap two paths in one step.
var errNoExchange = errors.New("exchange rename not supported")

// exchangeDirs swaps two directories in one step; a variable so that
// tests can take the fallback.
var exchangeDirs = exchange

// replaceDir moves the directory tmp to target. An existing directory at
// target is swapped with tmp in one step where the system can, and its
// old content is then at tmp, for the caller to remove. Where it cannot,
// the old directory is renamed aside, tmp renamed into place, and the old
// one removed (or put back if that failed).
func replaceDir(tmp, target string) error {
	if _, err := os.Lstat(target); errors.Is(err, fs.ErrNotExist) {
		return os.Rename(tmp, target)
	}
	if err := CheckTarget(target); err != nil {
		return err
	}
	err := exchangeDirs(tmp, target)
	if !errors.Is(err, errNoExchange) {
		return err
	}
	old := tmp + ".old"
	if err := os.Rename(target, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, target); err != nil {
		if e := os.Rename(old, target); e != nil {
			return fmt.Errorf("%w; the previous output is in %s", err, old)
		}
		return err
	}
	return os.RemoveAll(old)
}
