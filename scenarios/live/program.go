package live

import (
	"bufio"
	"debug/buildinfo"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/idsim/idsim/kinds/process"
	"github.com/idsim/idsim/scenarios"
	"github.com/idsim/idsim/sim"
)

// Programs (kind: process) run live as they do in the simulator, one
// process per worker (or one for all), over the same protocol; what
// differs is time. Every generate carries the worker's skewed real clock
// (the machine's clock plus the clock steps so far), so a program that
// takes its time from clock ("uses_clock": true in its init_ok) sees
// every step. A program on real time reads the machine's clock itself:
// it gets the steps through libfaketime, preloaded into it with a
// timestamp file of its own that holds the worker's offset ("+0",
// "-0.400000000": seconds, relative to the real time) and is rewritten
// at each step. libfaketime re-reads it at every time call
// (FAKETIME_NO_CACHE=1) and leaves the monotonic clock real
// (FAKETIME_DONT_FAKE_MONOTONIC=1). It cannot reach a Go program, which
// reads the time through the vDSO, nor tell apart the workers of one
// program shared by all (processes: one).

// Program is a scheme a live run drives as a program per worker (or one
// for all), such as the process kind's: it starts a worker's program,
// stops it as a crash does, and says what it runs.
type Program interface {
	StartLive(process.LiveStart) (process.Started, error)
	Stop(worker int)
	Close() error
	Command() []string
	Dir() string
	Env() []string
	PerWorker() bool
}

var _ Program = (*process.Scheme)(nil)

// FaketimeEnv names the variable that overrides where libfaketime is:
// the path of libfaketime.so.1, or "off" to run programs on real time
// without it (their clock faults then reach only programs that take
// their time from clock).
const FaketimeEnv = "IDSIM_LIBFAKETIME"

// faketimePaths are where Debian's libfaketime package puts the library.
var faketimePaths = []string{
	"/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
	"/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
	"/usr/lib/faketime/libfaketime.so.1",
	"/usr/local/lib/faketime/libfaketime.so.1",
}

// Faketime returns the path of libfaketime.so.1: from IDSIM_LIBFAKETIME,
// where Debian installs it, or as dpkg lists it. It returns "" and no
// error if IDSIM_LIBFAKETIME is "off".
func Faketime() (string, error) {
	if v, ok := os.LookupEnv(FaketimeEnv); ok && v != "" {
		if v == "off" {
			return "", nil
		}
		if st, err := os.Stat(v); err != nil || st.IsDir() {
			return "", fmt.Errorf("%s=%s: no such file (want the path of libfaketime.so.1, or off)", FaketimeEnv, v)
		}
		return v, nil
	}
	for _, p := range faketimePaths {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	for _, pkg := range []string{"libfaketime", "faketime"} {
		out, err := exec.Command("dpkg", "-L", pkg).Output()
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(strings.NewReader(string(out)))
		for sc.Scan() {
			if p := sc.Text(); filepath.Base(p) == "libfaketime.so.1" {
				if st, err := os.Stat(p); err == nil && !st.IsDir() {
					return p, nil
				}
			}
		}
	}
	return "", errors.New("libfaketime is not installed (apt-get install faketime)")
}

// goProgram reports whether the program a command runs is written in
// Go: `go run ...`, or an executable with Go build information.
func goProgram(command []string, dir string) bool {
	if len(command) == 0 {
		return false
	}
	name := command[0]
	if filepath.Base(name) == "go" && len(command) > 1 && command[1] == "run" {
		return true
	}
	var path string
	if strings.Contains(name, string(filepath.Separator)) {
		path = name
		if !filepath.IsAbs(path) && dir != "" {
			path = filepath.Join(dir, path)
		}
	} else {
		p, err := exec.LookPath(name)
		if err != nil {
			return false
		}
		path = p
	}
	if p, err := filepath.EvalSymlinks(path); err == nil {
		path = p
	}
	_, err := buildinfo.ReadFile(path)
	return err == nil
}

// faketimeNeed says how a program scheme meets libfaketime in a live
// run of sc: whether some worker's clock is stepped (so a program on
// real time needs it), and whether the program is Go (which it cannot
// reach).
func faketimeNeed(sc *scenarios.Scenario, ps Program) (steps, isGo bool) {
	p := newPlan(sc, sc.Seed)
	for _, acts := range p.actions {
		for _, a := range acts {
			steps = steps || a.kind == actStep
		}
	}
	return steps, goProgram(ps.Command(), ps.Dir())
}

// goWarning is what a live run says of a Go program.
func goWarning(label string, line int, command []string) string {
	return fmt.Sprintf("scheme %s (line %d) runs a Go program (%s): libfaketime does not reach Go programs, which read the time through the vDSO, so unless it takes its time from clock (\"uses_clock\": true in its init_ok) no clock fault reaches it in a live run", label, line, strings.Join(command, " "))
}

// Warnings lists what a live run of sc should say before it starts: Go
// programs, which libfaketime does not reach.
func Warnings(sc *scenarios.Scenario) []string {
	var out []string
	for _, s := range sc.Schemes {
		if ps, ok := s.Sim.(Program); ok && goProgram(ps.Command(), ps.Dir()) {
			out = append(out, goWarning(s.Label, s.Line, ps.Command()))
		}
	}
	return out
}

// checkProgram reports why a program scheme cannot run live, or nil.
func checkProgram(sc *scenarios.Scenario, s scenarios.Scheme, ps Program) error {
	steps, isGo := faketimeNeed(sc, ps)
	if !steps || isGo || !ps.PerWorker() {
		return nil
	}
	if _, err := Faketime(); err != nil {
		return fmt.Errorf("scheme %s (line %d): a program on real time gets its clock steps in a live run through libfaketime: %v; or set %s=off to run without it (then only a program that takes its time from clock sees them)", s.Label, s.Line, err, FaketimeEnv)
	}
	return nil
}

// offsetText writes a clock offset in ns as libfaketime reads a relative
// offset: signed seconds, with a fraction (a point: the programs' C
// locale).
func offsetText(ns int64) string {
	sign := "+"
	if ns < 0 {
		sign, ns = "-", -ns
	}
	if ns%1e9 == 0 {
		return sign + strconv.FormatInt(ns/1e9, 10)
	}
	return fmt.Sprintf("%s%d.%09d", sign, ns/1e9, ns%1e9)
}

// writeOffset replaces a timestamp file atomically, so that a program
// reading it at any moment sees the old offset or the new one.
func writeOffset(path string, ns int64) error {
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte(offsetText(ns)+"\n"), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// programs is what a program scheme's live run set up: libfaketime, if
// its programs need it, with a timestamp file per worker in a private
// temporary directory.
type programs struct {
	lib   string // libfaketime.so.1, or "" if programs run without it
	dir   string // the timestamp files' directory
	isGo  bool
	steps bool
	notes []string
}

// setUpPrograms decides whether the scheme's programs get libfaketime
// and makes their timestamp files.
func (r *runner) setUpPrograms() (*programs, error) {
	pr := &programs{}
	pr.steps, pr.isGo = faketimeNeed(r.sc, r.ps)
	switch {
	case pr.isGo:
		pr.notes = append(pr.notes, goWarning(r.s.Label, r.s.Line, r.ps.Command())+".")
	case pr.steps && !r.ps.PerWorker():
		pr.notes = append(pr.notes, "processes: one: libfaketime sets a clock offset per program, so it cannot step one worker's clock inside the program every worker shares; only a program that takes its time from clock sees the clock steps.")
	case pr.steps:
		lib, err := Faketime()
		if err != nil {
			return nil, err
		}
		if lib == "" {
			pr.notes = append(pr.notes, FaketimeEnv+"=off: programs on real time ran without libfaketime.")
			break
		}
		dir, err := os.MkdirTemp("", "idsim-faketime-")
		if err != nil {
			return nil, err
		}
		pr.lib, pr.dir = lib, dir
		for w := range r.sc.Workers {
			if err := writeOffset(pr.file(w), 0); err != nil {
				os.RemoveAll(dir)
				return nil, err
			}
		}
	}
	return pr, nil
}

// file is worker w's timestamp file, or "" without libfaketime.
func (pr *programs) file(w int) string {
	if pr.dir == "" {
		return ""
	}
	return filepath.Join(pr.dir, fmt.Sprintf("worker-%d", w))
}

// close stops every program and removes the timestamp files.
func (pr *programs) close(ps Program) {
	ps.Close()
	if pr.dir != "" {
		os.RemoveAll(pr.dir)
	}
}

// startProgram starts (or, after a crash, starts again) worker w's
// program, with libfaketime preloaded if it has a timestamp file.
func (r *runner) startProgram(w *worker, id sim.Identity) error {
	st := process.LiveStart{Worker: w.idx, Identity: id, Clock: w.clk}
	if w.tsFile != "" {
		preload := r.pr.lib
		if prev := r.preloaded(); prev != "" {
			preload += ":" + prev
		}
		st.Env = []string{"LD_PRELOAD=" + preload, "FAKETIME_TIMESTAMP_FILE=" + w.tsFile,
			"FAKETIME_NO_CACHE=1", "FAKETIME_DONT_FAKE_MONOTONIC=1"}
		// A FAKETIME of idsim's own would override the file.
		for _, kv := range os.Environ() {
			if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "FAKETIME") {
				st.Unset = append(st.Unset, k)
			}
		}
		st.Faked = true
	}
	started, err := r.ps.StartLive(st)
	if err != nil {
		return fmt.Errorf("worker %d: %w", w.idx, err)
	}
	w.prog, w.down = started.Gen, false
	return nil
}

// preloaded is the LD_PRELOAD the program would have had without
// libfaketime: the scheme's env's, or idsim's.
func (r *runner) preloaded() string {
	v := os.Getenv("LD_PRELOAD")
	for _, kv := range r.ps.Env() {
		if k, val, _ := strings.Cut(kv, "="); k == "LD_PRELOAD" {
			v = val
		}
	}
	return v
}

// serveProgram serves arrivals that are due, in order: in one
// generate_batch if the program takes it.
func (r *runner) serveProgram(w *worker, due []int64) {
	w.stats.Offered += int64(len(due))
	if w.down || w.prog == nil {
		for _, t := range due {
			r.fail(w, t, sim.ErrWorkerDown)
		}
		return
	}
	if b, ok := w.prog.(sim.BatchGenerator); ok && len(due) > 1 {
		calls := make([]sim.ClockReading, len(due))
		for i := range calls {
			calls[i] = sim.ClockReading{Unix: w.clk.Now(), Mono: w.clk.Monotonic()}
		}
		out := make([]sim.BatchResult, len(due))
		b.TryBatch(calls, out)
		now := r.since()
		for i, res := range out {
			r.answered(w, due[i], now, res.Hi, res.Lo, res.Err)
		}
		return
	}
	for _, t := range due {
		hi, lo, _, err := w.prog.TryNext128()
		r.answered(w, t, r.since(), hi, lo, err)
	}
}

// answered records the answer, at now, to a call that arrived at
// arrived.
func (r *runner) answered(w *worker, arrived, now int64, hi, lo uint64, err error) {
	w.latency(arrived, now)
	if err != nil {
		r.fail(w, now, err)
		return
	}
	prevHi, prevLo, _ := w.order128.Last()
	if !w.order128.Next(hi, lo) {
		w.stats.AddViolation(sim.OrderViolation{Worker: w.idx, Index: w.log.Len(), Time: now, Hi: hi, ID: lo, PrevHi: prevHi, PrevID: prevLo, PrevTime: w.lastT})
	}
	w.log.Append128(hi, lo, now)
	w.lastT = now
	w.stats.Generated++
}
