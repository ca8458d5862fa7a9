package kinds_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/idsim/idsim/kind"
	_ "github.com/idsim/idsim/kinds"
)

// exempt lists the files of the harness that may name a kind, and why.
// Each is a name that happens to be spelled like a kind, not a switch on
// the kind.
var exempt = map[string]string{
	// The ID text formats an audit reads (a number, a UUID, a ULID).
	"sim/audit/": "text formats",
	// decode's --layout takes the text formats uuid and ulid besides
	// the Snowflake layouts.
	"cmd/idsim/decode.go": "text formats",
	// Example programs a user runs under kind: process; they are not
	// the harness.
	"examples/": "user programs",
}

// exempted reports whether rel is a file, or in a directory (a key
// ending in "/"), that exempt lists.
func exempted(rel string) bool {
	for k := range exempt {
		if rel == k || strings.HasSuffix(k, "/") && strings.HasPrefix(rel, k) {
			return true
		}
	}
	return false
}

// TestNoKindNameOutsideItsPackage fails if a non-test Go file of the
// harness names a registered kind in a string literal outside that
// kind's own package. The generator libraries (generators/) are not the
// harness: their names and errors are their own.
func TestNoKindNameOutsideItsPackage(t *testing.T) {
	root := filepath.Join("..")
	names := kind.Names()
	if len(names) < 7 {
		t.Fatalf("only %d kinds registered", len(names))
	}
	words := map[string]*regexp.Regexp{}
	for _, n := range names {
		words[n] = regexp.MustCompile(`(^|[^A-Za-z0-9_/-])` + regexp.QuoteMeta(n) + `($|[^A-Za-z0-9_-])`)
	}
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if strings.HasPrefix(rel, ".") && rel != "." || rel == "generators" || strings.Contains(rel, "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") || exempted(rel) {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			for name, re := range words {
				own := "kinds/" + name + "/"
				if re.MatchString(s) && !strings.HasPrefix(rel, own) && !strings.HasPrefix(rel, "kinds/internal/") {
					t.Errorf("%s names kind %q in %q", rel, name, s)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("checked only %d files", checked)
	}
}
