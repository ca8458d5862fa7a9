// Command mutate is idsim's mutation tester. It makes one small change
// at a time to a source file (flips a comparison or arithmetic operator,
// swaps 0 and 1, negates an if condition, deletes a statement that
// assigns, returns, calls or breaks), runs the tests of the file's
// package against the changed file, and reports every change the tests
// did not notice.
//
// The work tree is never modified: each mutant reaches the compiler
// through go's -overlay flag, so several mutants can be tested at once
// and an interrupted run leaves nothing behind. The mutants of a file
// are the same on every run, in source order.
//
// Usage, from the repository root:
//
//	go -C tools/mutate run . [flags] [file.go ...]
//
// With no files it mutates the default scope (see defaultScope). A
// surviving mutant listed in equivalent.txt (file, source line and
// mutation, with a reason) is reported as equivalent and not counted.
// The exit status is 1 when a mutant survives that is not listed there.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// defaultScope is what issue 13 asks to be mutation-tested, relative to
// the repository root.
var defaultScope = []string{
	"generators/snowflake/snowflake.go",
	"generators/snowflake/layout.go",
	"generators/uuid/uuid.go",
	"generators/uuid/gen.go",
	"generators/ulid/ulid.go",
	"generators/rangebatch/rangebatch.go",
	"generators/rangebatch/sql.go",
	"generators/workerid/fence.go",
	"sim/check/unique.go",
	"sim/check/sorted.go",
	"sim/check/order.go",
}

// Outcomes of one mutant.
const (
	killed     = "killed"
	survived   = "SURVIVED"
	equivalent = "equivalent"
	unviable   = "unviable" // does not compile
	timedOut   = "killed (timeout)"
)

type result struct {
	m       mutant
	outcome string
	reason  string
}

func main() {
	root := flag.String("root", "../..", "the repository root")
	timeout := flag.Duration("timeout", 90*time.Second, "time allowed for one mutant's tests")
	jobs := flag.Int("j", 2, "mutants tested at once")
	list := flag.Bool("list", false, "list the mutants without testing them")
	only := flag.String("only", "", "test only the mutants at these comma-separated file:line (or file) places")
	eqFile := flag.String("equivalent", "equivalent.txt", "the list of equivalent mutants")
	verbose := flag.Bool("v", false, "print every mutant, not only survivors")
	flag.Parse()
	files := flag.Args()
	if len(files) == 0 && *only != "" {
		files = onlyFiles(*only)
	}
	if len(files) == 0 {
		files = defaultScope
	}
	absRoot, err := filepath.Abs(*root)
	if err != nil {
		fatal(err)
	}
	eq, err := readEquivalents(*eqFile)
	if err != nil {
		fatal(err)
	}

	var all []mutant
	for _, f := range files {
		src, err := os.ReadFile(filepath.Join(absRoot, f))
		if err != nil {
			fatal(err)
		}
		ms, err := generate(filepath.ToSlash(f), src)
		if err != nil {
			fatal(err)
		}
		for _, m := range ms {
			if selected(*only, m) {
				all = append(all, m)
			}
		}
	}
	if *list {
		for _, m := range all {
			fmt.Printf("%s:%d:%d\t%s\t%s\t%s\n", m.File, m.Line, m.Col, m.Func, m.Desc, m.Code)
		}
		return
	}

	tmp, err := os.MkdirTemp("", "mutate-")
	if err != nil {
		fatal(err)
	}
	defer os.RemoveAll(tmp)

	// An interrupt stops the tests under way (their whole process
	// groups) and removes the temporary files; nothing else is touched.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	results := make([]result, len(all))
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < *jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= len(all) || ctx.Err() != nil {
					return
				}
				r := run(ctx, absRoot, tmp, i, all[i], *timeout)
				if r.outcome == survived {
					if why, ok := equivalentReason(eq, r.m); ok {
						r.outcome, r.reason = equivalent, why
					}
				}
				results[i] = r
				if *verbose || r.outcome == survived {
					mu.Lock()
					fmt.Fprintf(os.Stderr, "%-16s %s:%d:%d %s  [%s: %s]\n", r.outcome, r.m.File, r.m.Line, r.m.Col, r.m.Desc, r.m.Func, r.m.Code)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		os.RemoveAll(tmp)
		fmt.Fprintln(os.Stderr, "mutate: interrupted")
		os.Exit(130)
	}
	bad := report(results, time.Since(start))
	os.RemoveAll(tmp) // os.Exit skips the deferred removal
	if bad {
		os.Exit(1)
	}
}

// onlyFiles lists, once each and in order, the files that -only's
// places name, so that -only alone needs no file arguments.
func onlyFiles(only string) []string {
	var files []string
	for _, p := range strings.Split(only, ",") {
		f, _, _ := strings.Cut(p, ":")
		if f != "" && !slices.Contains(files, f) {
			files = append(files, f)
		}
	}
	return files
}

// selected reports whether m is at one of the comma-separated places in
// only (file or file:line), or only is empty.
func selected(only string, m mutant) bool {
	if only == "" {
		return true
	}
	for _, p := range strings.Split(only, ",") {
		if p == m.File || p == fmt.Sprintf("%s:%d", m.File, m.Line) {
			return true
		}
	}
	return false
}

// run tests one mutant; it gives up when ctx is done.
func run(ctx context.Context, root, tmp string, i int, m mutant, timeout time.Duration) result {
	path := filepath.Join(root, m.File)
	src, err := os.ReadFile(path)
	if err != nil {
		fatal(err)
	}
	dir := filepath.Join(tmp, fmt.Sprint(i))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fatal(err)
	}
	defer os.RemoveAll(dir)
	mutated := filepath.Join(dir, filepath.Base(path))
	if err := os.WriteFile(mutated, m.apply(src), 0o644); err != nil {
		fatal(err)
	}
	overlay, _ := json.Marshal(map[string]map[string]string{"Replace": {path: mutated}})
	overlayFile := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlayFile, overlay, 0o644); err != nil {
		fatal(err)
	}
	mod := moduleDir(filepath.Dir(path))
	pkg, _ := filepath.Rel(mod, filepath.Dir(path))

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "test", "-overlay="+overlayFile, "-failfast", "-vet=off",
		"-timeout="+timeout.String(), "./"+filepath.ToSlash(pkg)+"/")
	cmd.Dir = mod
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	r := result{m: m}
	var exit *exec.ExitError
	switch {
	case err == nil:
		r.outcome = survived
	case ctx.Err() != nil || bytes.Contains(out.Bytes(), []byte("panic: test timed out")):
		r.outcome = timedOut
	case bytes.Contains(out.Bytes(), []byte("[build failed]")) || bytes.Contains(out.Bytes(), []byte("[setup failed]")):
		r.outcome = unviable
	case errors.As(err, &exit):
		r.outcome = killed
	default:
		fatal(fmt.Errorf("%s:%d: go test: %v", m.File, m.Line, err))
	}
	return r
}

// moduleDir returns the directory of the go.mod that holds dir.
func moduleDir(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			fatal(fmt.Errorf("no go.mod above %s", dir))
		}
	}
}

// report prints the survivors, the equivalents and the score per
// package, and reports whether any mutant survived unexplained.
func report(rs []result, took time.Duration) bool {
	type counts struct{ killed, survived, equivalent, unviable int }
	per := map[string]*counts{}
	var bad bool
	fmt.Println("# Survivors and equivalent mutants")
	for _, r := range rs {
		pkg := filepath.Dir(r.m.File)
		c := per[pkg]
		if c == nil {
			c = &counts{}
			per[pkg] = c
		}
		switch r.outcome {
		case killed, timedOut:
			c.killed++
		case survived:
			c.survived++
			bad = true
			fmt.Printf("SURVIVED   %s:%d:%d %s  [%s: %s]\n", r.m.File, r.m.Line, r.m.Col, r.m.Desc, r.m.Func, r.m.Code)
		case equivalent:
			c.equivalent++
			fmt.Printf("equivalent %s:%d:%d %s  [%s: %s]\n           because %s\n", r.m.File, r.m.Line, r.m.Col, r.m.Desc, r.m.Func, r.m.Code, r.reason)
		case unviable:
			c.unviable++
		}
	}
	pkgs := make([]string, 0, len(per))
	for p := range per {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	fmt.Println()
	fmt.Printf("%-24s %7s %7s %9s %10s %8s %7s\n", "package", "mutants", "killed", "survived", "equivalent", "unviable", "score")
	var t counts
	line := func(name string, c counts) {
		n := c.killed + c.survived
		score := 100.0
		if n > 0 {
			score = 100 * float64(c.killed) / float64(n)
		}
		fmt.Printf("%-24s %7d %7d %9d %10d %8d %6.1f%%\n", name, c.killed+c.survived+c.equivalent+c.unviable,
			c.killed, c.survived, c.equivalent, c.unviable, score)
	}
	for _, p := range pkgs {
		c := per[p]
		line(p, *c)
		t.killed += c.killed
		t.survived += c.survived
		t.equivalent += c.equivalent
		t.unviable += c.unviable
	}
	line("total", t)
	fmt.Printf("score = killed / (killed + survived); equivalent and unviable (not compiling) mutants are not counted; %s\n", took.Round(time.Second))
	return bad
}

// eqKey identifies a mutant independently of line numbers, so that
// equivalent.txt survives edits elsewhere in the file.
func eqKey(m mutant) string {
	return m.File + "\t" + m.Code + "\t" + m.Desc
}

// equivalentReason finds m in the list of equivalent mutants: by the
// source line qualified with its function ("func NAME: line", for a line
// such as "return err" that several functions hold), by the source line
// alone, or as one of every mutant of its function.
func equivalentReason(eq map[string]string, m mutant) (string, bool) {
	for _, k := range []string{
		m.File + "\tfunc " + m.Func + ": " + m.Code + "\t" + m.Desc,
		eqKey(m),
		m.File + "\tfunc " + m.Func + "\t*",
	} {
		if why, ok := eq[k]; ok {
			return why, true
		}
	}
	return "", false
}

// readEquivalents reads the list of equivalent mutants: blocks of three
// tab-separated fields (file, source line with its spaces collapsed,
// mutation) followed by a line "because REASON". The fields "func NAME"
// and "*" stand for every mutant of the function NAME (Type.Method for
// a method); a source line written "func NAME: LINE" is that line in
// NAME only. Lines starting with # are comments.
func readEquivalents(path string) (map[string]string, error) {
	eq := map[string]string{}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return eq, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var key string
	n := 0
	for sc.Scan() {
		n++
		l := strings.TrimSpace(sc.Text())
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
		case strings.HasPrefix(l, "because "):
			if key == "" {
				return nil, fmt.Errorf("%s:%d: a reason without a mutant", path, n)
			}
			eq[key] = strings.TrimPrefix(l, "because ")
			key = ""
		default:
			if key != "" {
				return nil, fmt.Errorf("%s:%d: the mutant above has no reason", path, n)
			}
			if strings.Count(l, "\t") != 2 {
				return nil, fmt.Errorf("%s:%d: want file, source line and mutation separated by tabs", path, n)
			}
			key = l
		}
	}
	if key != "" {
		return nil, fmt.Errorf("%s: the last mutant has no reason", path)
	}
	return eq, sc.Err()
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "mutate:", err)
	os.Exit(2)
}
