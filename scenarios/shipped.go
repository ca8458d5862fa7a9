package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

//go:embed shipped/*.yaml shipped/regressions/*.yaml
var shipped embed.FS

// Groups are folders of shipped scenarios that run together by the
// folder's name: `idsim run regressions`.
var Groups = []string{"regressions"}

// Info names a shipped scenario.
type Info struct {
	Name        string
	Description string
}

// Shipped lists the scenarios embedded in the binary, by name; those in a
// group are named GROUP/NAME.
func Shipped() []Info {
	var out []Info
	for _, dir := range append([]string{""}, Groups...) {
		out = append(out, shippedIn(dir)...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func shippedIn(dir string) []Info {
	entries, _ := fs.ReadDir(shipped, path.Join("shipped", dir))
	var out []Info
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name := path.Join(dir, strings.TrimSuffix(e.Name(), ".yaml"))
		sc, err := Embedded(name)
		if err != nil {
			// A shipped file that does not parse is a bug caught by tests.
			out = append(out, Info{Name: name, Description: "INVALID: " + err.Error()})
			continue
		}
		out = append(out, Info{Name: name, Description: sc.Description})
	}
	return out
}

// Embedded loads the shipped scenario with the given name.
func Embedded(name string) (*Scenario, error) {
	file := "shipped/" + name + ".yaml"
	src, err := shipped.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("no shipped scenario named %q", name)
	}
	return Parse("embedded:"+name+".yaml", src)
}

// ShippedSource returns the YAML of a shipped scenario.
func ShippedSource(name string) ([]byte, error) {
	return shipped.ReadFile("shipped/" + name + ".yaml")
}

// Load reads a scenario from a file path, or, when no such file exists
// and arg looks like a name, the shipped scenario of that name.
func Load(arg string) (*Scenario, error) {
	src, err := ReadFile(arg, MaxFileSize)
	if err == nil {
		return Parse(arg, src)
	}
	_, shippedErr := shipped.ReadFile("shipped/" + arg + ".yaml")
	looksLikePath := (strings.ContainsAny(arg, `/\`) || path.Ext(arg) != "") && shippedErr != nil
	if !errors.Is(err, fs.ErrNotExist) || looksLikePath {
		return nil, err
	}
	if _, e := shipped.ReadFile("shipped/" + arg + ".yaml"); e != nil {
		var names []string
		for _, i := range shippedIn("") {
			names = append(names, i.Name)
		}
		for _, g := range Groups {
			names = append(names, fmt.Sprintf("%s/… (%d scenarios; 'idsim list scenarios')", g, len(shippedIn(g))))
		}
		return nil, fmt.Errorf("%s: no such file, and no shipped scenario of that name (shipped: %s)", arg, strings.Join(names, ", "))
	}
	return Embedded(arg)
}

// LoadAll is Load, and also accepts a group of shipped scenarios by its
// name (regressions) or a directory, whose *.yaml files it loads in name
// order.
func LoadAll(arg string) ([]*Scenario, error) {
	clean := strings.TrimSuffix(arg, "/")
	if st, err := os.Stat(arg); err == nil && st.IsDir() {
		files, err := filepath.Glob(filepath.Join(arg, "*.yaml"))
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s: a directory without scenario files (*.yaml)", arg)
		}
		sort.Strings(files)
		var out []*Scenario
		for _, f := range files {
			if err := regularFile(f); err != nil {
				return nil, err
			}
			sc, err := Load(f)
			if err != nil {
				return nil, err
			}
			out = append(out, sc)
		}
		return out, nil
	}
	for _, g := range Groups {
		if clean == g {
			var out []*Scenario
			for _, info := range shippedIn(g) {
				sc, err := Embedded(info.Name)
				if err != nil {
					return nil, err
				}
				out = append(out, sc)
			}
			return out, nil
		}
	}
	sc, err := Load(arg)
	if err != nil {
		return nil, err
	}
	return []*Scenario{sc}, nil
}
