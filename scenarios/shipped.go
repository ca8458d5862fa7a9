package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
)

//go:embed shipped/*.yaml
var shipped embed.FS

// Info names a shipped scenario.
type Info struct {
	Name        string
	Description string
}

// Shipped lists the scenarios embedded in the binary, by name.
func Shipped() []Info {
	entries, _ := fs.ReadDir(shipped, "shipped")
	var out []Info
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".yaml")
		sc, err := Embedded(name)
		if err != nil {
			// A shipped file that does not parse is a bug caught by tests.
			out = append(out, Info{Name: name, Description: "INVALID: " + err.Error()})
			continue
		}
		out = append(out, Info{Name: name, Description: sc.Description})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
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
	src, err := os.ReadFile(arg)
	if err == nil {
		return Parse(arg, src)
	}
	looksLikePath := strings.ContainsAny(arg, `/\`) || path.Ext(arg) != ""
	if !errors.Is(err, fs.ErrNotExist) || looksLikePath {
		return nil, err
	}
	if _, e := shipped.ReadFile("shipped/" + arg + ".yaml"); e != nil {
		var names []string
		for _, i := range Shipped() {
			names = append(names, i.Name)
		}
		return nil, fmt.Errorf("%s: no such file, and no shipped scenario of that name (shipped: %s)", arg, strings.Join(names, ", "))
	}
	return Embedded(arg)
}
