package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// listDir returns every path under dir, relative to it, with its mode.
func listDir(t *testing.T, dir string) map[string]os.FileMode {
	t.Helper()
	out := map[string]os.FileMode{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		info, _ := d.Info()
		rel, _ := filepath.Rel(dir, p)
		out[rel] = info.Mode()
		return nil
	})
	return out
}

// Replacing an output directory, by the exchange rename and by the
// fallback, leaves exactly the new files, no temporary directory, and
// modes 0644/0755.
func TestWriteDirReplacesInOneStep(t *testing.T) {
	for _, fallback := range []bool{false, true} {
		dir := t.TempDir()
		if fallback {
			exchangeDirs = func(a, b string) error { return errNoExchange }
			t.Cleanup(func() { exchangeDirs = exchange })
		}
		if _, err := WriteDir(dir, "x", map[string][]byte{"old.txt": []byte("old"), "sub/a": []byte("a")}); err != nil {
			t.Fatal(err)
		}
		target, err := WriteDir(dir, "x", map[string][]byte{"new.txt": []byte("new"), "sub/b": []byte("b")})
		if err != nil {
			t.Fatal(err)
		}
		got := listDir(t, dir)
		want := []string{".", "x", "x/new.txt", "x/sub", "x/sub/b"}
		if len(got) != len(want) {
			t.Errorf("fallback %v: %v, want %v", fallback, got, want)
		}
		for _, p := range want {
			m, ok := got[filepath.FromSlash(p)]
			if !ok {
				t.Errorf("fallback %v: %s missing", fallback, p)
				continue
			}
			if p == "." {
				continue
			}
			if wantMode := os.FileMode(0o644); !m.IsDir() && m.Perm() != wantMode&^umaskForTest() {
				t.Errorf("%s: mode %v", p, m)
			}
			if m.IsDir() && m.Perm() != 0o755&^umaskForTest() {
				t.Errorf("%s: mode %v", p, m)
			}
		}
		if b, _ := os.ReadFile(filepath.Join(target, "new.txt")); string(b) != "new" {
			t.Errorf("new.txt holds %q", b)
		}
	}
}

// The exchange rename really is used where the system has it.
func TestExchangeSwaps(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	os.Mkdir(a, 0o755)
	os.Mkdir(b, 0o755)
	os.WriteFile(filepath.Join(a, "in-a"), nil, 0o644)
	err := exchange(a, b)
	if err == errNoExchange {
		t.Skip("no exchange rename on this system or filesystem")
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(b, "in-a")); err != nil {
		t.Error("the directories were not swapped")
	}
}

// A regular file or a symbolic link where the output directory goes is
// refused and left as it was.
func TestWriteDirKeepsFilesItDidNotWrite(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "x"), []byte("precious"), 0o644)
	os.Symlink(dir, filepath.Join(dir, "link"))
	for _, name := range []string{"x", "link"} {
		_, err := WriteDir(dir, name, map[string][]byte{"a": []byte("a")})
		if err == nil || !strings.Contains(err.Error(), "idsim does not replace it") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "x")); string(b) != "precious" {
		t.Errorf("the file now holds %q", b)
	}
	if got := listDir(t, dir); len(got) != 3 {
		t.Errorf("left %v", got)
	}
}

// Names that are paths are refused before anything is written.
func TestWriteDirRefusesPaths(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "out")
	for _, tt := range []struct {
		name  string
		files map[string][]byte
	}{
		{"../x", nil}, {"..", nil}, {".", nil}, {"", nil}, {"a/b", nil}, {".hidden", nil},
		{"ok", map[string][]byte{"../escape": nil}},
		{"ok", map[string][]byte{"/abs": nil}},
	} {
		if _, err := WriteDir(dir, tt.name, tt.files); err == nil {
			t.Errorf("%q %v: written", tt.name, tt.files)
		}
	}
	if got := listDir(t, root); len(got) != 1 {
		t.Errorf("left %v", got)
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.md")
	for _, s := range []string{"one", "two"} {
		if err := WriteFile(p, []byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644&^umaskForTest() {
		t.Errorf("mode %v", st.Mode())
	}
	if b, _ := os.ReadFile(p); string(b) != "two" {
		t.Errorf("holds %q", b)
	}
	if got := listDir(t, dir); len(got) != 2 {
		t.Errorf("left %v", got)
	}
	if err := WriteFile(dir, nil); err == nil {
		t.Error("a directory was replaced by a file")
	}
}
