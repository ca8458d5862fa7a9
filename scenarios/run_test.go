package scenarios

import (
	"bytes"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/idsim/idsim/reports"
)

func runShipped(t testing.TB, name string) *reports.Results {
	t.Helper()
	sc, err := Embedded(name)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func runByScheme(res *reports.Results) map[string]*reports.Run {
	m := map[string]*reports.Run{}
	for i := range res.Runs {
		m[res.Runs[i].Scheme] = &res.Runs[i]
	}
	return m
}

func TestShippedScenariosPass(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every shipped scenario; the acceptance tests below cover each in short mode too")
	}
	for _, info := range Shipped() {
		if strings.HasPrefix(info.Description, "INVALID") {
			t.Errorf("%s: %s", info.Name, info.Description)
			continue
		}
		res := runShipped(t, info.Name)
		if !res.Passed {
			for _, r := range res.Runs {
				for _, e := range r.Expectations {
					if !e.Passed {
						t.Errorf("%s/%s: expected %s %s, got %s", info.Name, r.Scheme, e.Key, e.Want, e.Got)
					}
				}
			}
		}
	}
}

// In the NTP scenario the ignore policy shows duplicates, every one
// explained with the backward step; error and wait show none.
func TestNTPBackward(t *testing.T) {
	res := runShipped(t, "ntp-backward")
	runs := runByScheme(res)
	step := res.Faults[0]
	if step.ID != "clock_step#1" || len(step.Active) != 1 {
		t.Fatalf("fault %+v", step)
	}
	window := step.Active[0]
	ignore := runs["ignore"]
	if ignore.Duplicates == 0 || int64(len(ignore.DuplicateList)) != ignore.Duplicates {
		t.Fatalf("ignore: %d duplicates, %d listed", ignore.Duplicates, len(ignore.DuplicateList))
	}
	for _, d := range ignore.DuplicateList {
		if !slices.Contains(d.Copy.Faults, "clock_step#1") {
			t.Fatalf("duplicate %d not blamed on the step: %+v", d.ID, d)
		}
		if d.Copy.Worker != d.Original.Worker || (d.Copy.Worker != 3 && d.Copy.Worker != 7) {
			t.Fatalf("duplicate on workers %d/%d", d.Original.Worker, d.Copy.Worker)
		}
		if d.Copy.AtNs < window.FromNs || d.Copy.AtNs > window.ToNs || d.Original.AtNs >= window.FromNs {
			t.Fatalf("duplicate outside the step's window: %+v", d)
		}
		if d.Copy.ClockNs/1e6 != d.Original.ClockNs/1e6 {
			t.Fatalf("clock readings in different milliseconds: %+v", d)
		}
	}
	var grouped int64
	for _, g := range ignore.DuplicateGroups {
		grouped += g.Count
		if !strings.Contains(g.Explanation, "clock_step#1 (clock step backward by 1.5s on workers 3, 7 at 2s)") {
			t.Errorf("explanation does not name the step: %s", g.Explanation)
		}
	}
	if grouped != ignore.Duplicates {
		t.Errorf("groups hold %d duplicates of %d", grouped, ignore.Duplicates)
	}
	for _, name := range []string{"error", "wait"} {
		if r := runs[name]; r.Duplicates != 0 || r.MonotonicViolations != 0 {
			t.Errorf("%s: %d duplicates, %d out of order", name, r.Duplicates, r.MonotonicViolations)
		}
	}
	if runs["error"].Errors == 0 || runs["wait"].WaitMaxNs < 1_400_000_000 {
		t.Errorf("error policy: %d errors; wait policy: longest wait %dns", runs["error"].Errors, runs["wait"].WaitMaxNs)
	}
}

// Every policy duplicates when two workers share an ID, and the blame
// names the shared worker ID.
func TestDuplicateWorkerID(t *testing.T) {
	res := runShipped(t, "duplicate-worker-id")
	for _, r := range res.Runs {
		if r.Duplicates == 0 {
			t.Errorf("%s: no duplicates", r.Scheme)
		}
		for _, d := range r.DuplicateList {
			pair := []int{d.Original.Worker, d.Copy.Worker}
			slices.Sort(pair)
			if !slices.Equal(pair, []int{3, 17}) {
				t.Fatalf("%s: duplicate between workers %v", r.Scheme, pair)
			}
			if d.Original.WorkerID != "datacenter 0, worker 3" || d.Copy.WorkerID != d.Original.WorkerID {
				t.Fatalf("%s: worker IDs %q and %q", r.Scheme, d.Original.WorkerID, d.Copy.WorkerID)
			}
			if !slices.Contains(d.Faults, "duplicate_worker_id#1") {
				t.Fatalf("%s: faults %v", r.Scheme, d.Faults)
			}
		}
		for _, g := range r.DuplicateGroups {
			if !strings.Contains(g.Explanation, "both configured as datacenter 0, worker 3") {
				t.Errorf("%s: explanation does not name the shared ID: %s", r.Scheme, g.Explanation)
			}
		}
	}
}

// Under a flood no policy duplicates, and the busiest worker is held at
// exactly the Twitter layout's ceiling.
func TestSequenceFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("9 million IDs; run without -short")
	}
	res := runShipped(t, "sequence-flood")
	for _, r := range res.Runs {
		if r.Duplicates != 0 || r.MonotonicViolations != 0 || r.Errors != 0 {
			t.Errorf("%s: %d duplicates, %d out of order, %d errors", r.Scheme, r.Duplicates, r.MonotonicViolations, r.Errors)
		}
		if r.PeakWorker != 0 || r.PeakWorkerRate != 4_096_000 || r.CeilingPerWorker != 4_096_000 {
			t.Errorf("%s: peak %v IDs/s on worker %d, ceiling %v", r.Scheme, r.PeakWorkerRate, r.PeakWorker, r.CeilingPerWorker)
		}
		if r.WaitedCalls == 0 || r.DelayedCalls < 1_000_000 {
			t.Errorf("%s: %d calls waited, %d delayed: the flood did not saturate the sequence", r.Scheme, r.WaitedCalls, r.DelayedCalls)
		}
	}
}

// render returns every file a run writes.
func render(t testing.TB, res *reports.Results) []byte {
	t.Helper()
	var all bytes.Buffer
	for _, f := range []func(*reports.Results) ([]byte, error){reports.JSON, reports.Markdown, reports.CSV} {
		b, err := f(res)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	charts, err := reports.Charts(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range charts {
		all.Write(c.SVG)
		all.Write(c.PNG)
	}
	page, err := reports.HTML(res, charts)
	if err != nil {
		t.Fatal(err)
	}
	all.Write(page)
	// Not res.Files: porcupine's visualisation of a violation lists
	// equally long partial linearizations in an order that varies
	// between runs (the library collects them in a map). The verdict and
	// explanation, in results.json, do not vary.
	return all.Bytes()
}

// Running a shipped scenario twice gives byte-identical output, and so
// does running it on one CPU.
func TestDeterministic(t *testing.T) {
	shipped := Shipped()
	if testing.Short() {
		shipped = []Info{{Name: "ntp-backward"}}
	}
	for _, info := range shipped {
		first := render(t, runShipped(t, info.Name))
		second := render(t, runShipped(t, info.Name))
		if !bytes.Equal(first, second) {
			t.Errorf("%s: two runs differ", info.Name)
		}
		old := runtime.GOMAXPROCS(1)
		single := render(t, runShipped(t, info.Name))
		runtime.GOMAXPROCS(old)
		if !bytes.Equal(first, single) {
			t.Errorf("%s: GOMAXPROCS=1 differs from GOMAXPROCS=%d", info.Name, old)
		}
	}
}

func TestSeedOverride(t *testing.T) {
	if testing.Short() {
		t.Skip("two full runs; run without -short")
	}
	sc, err := Embedded("ntp-backward")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := Run(sc, Options{})
	b, _ := Run(sc, Options{Seed: 99, SeedSet: true})
	if b.Seed != 99 || b.Replay != "idsim run ntp-backward --seed 99" {
		t.Errorf("seed %d, replay %q", b.Seed, b.Replay)
	}
	if a.Runs[0].Generated == b.Runs[0].Generated && a.Runs[0].Duplicates == b.Runs[0].Duplicates {
		t.Error("a different seed gave the same run")
	}
}

func TestLoadFileOrName(t *testing.T) {
	if _, err := Load("ntp-backward"); err != nil {
		t.Errorf("shipped name: %v", err)
	}
	if _, err := Load("no-such-scenario"); err == nil || !strings.Contains(err.Error(), "shipped: compare-all, duplicate-worker-id, ephemeral-sequential-churn, ntp-backward, restart-clock-back, sequence-flood, zombie-lease, regressions/… (11 scenarios") {
		t.Errorf("unknown name: %v", err)
	}
	if _, err := Load("missing/file.yaml"); err == nil {
		t.Error("missing file accepted")
	}
}
