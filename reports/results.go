// Package reports holds the results of a scenario run and writes them:
// results.json (the contract other tools read), report.md for people, and
// duplicates.csv listing every duplicate.
//
// Keys in results.json are snake_case and stable: fields may be added,
// never renamed. Everything in it is a function of the scenario and the
// seed, so two runs write the same bytes.
package reports

import "fmt"

// Results are the outcome of one scenario run with one seed.
type Results struct {
	Scenario    string `json:"scenario"`
	Description string `json:"description,omitempty"`
	// File is where the scenario came from: a path as given, or
	// "embedded:NAME.yaml" for a shipped scenario.
	File string `json:"file"`
	// Files are extra files written beside the report, by name (the
	// linearizability visualisation of a violation).
	Files map[string][]byte `json:"-"`
	// Live is true for `idsim live`: real goroutines, clocks and etcd
	// instead of the simulator.
	Live bool   `json:"live,omitempty"`
	Seed uint64 `json:"seed"`
	// Passed is true when every expectation of every run held.
	Passed bool `json:"passed"`
	// Replay is the command that reproduces this run.
	Replay string `json:"replay"`

	Start       string   `json:"start"`
	Duration    string   `json:"duration"`
	DurationNs  int64    `json:"duration_ns"`
	RateWindow  string   `json:"rate_window"`
	Workers     int      `json:"workers"`
	Datacenters []string `json:"datacenters,omitempty"`
	Load        Load     `json:"load"`
	Faults      []Fault  `json:"faults"`
	Runs        []Run    `json:"runs"`
}

// Load is the base arrival process of every worker.
type Load struct {
	PerWorker       string  `json:"per_worker"`
	PerWorkerPerSec float64 `json:"per_worker_per_sec"`
	Pattern         string  `json:"pattern"`
}

// Fault is one entry of the scenario's fault schedule.
type Fault struct {
	// ID names the fault in findings: its kind and its position in the
	// schedule, e.g. "clock_step#1".
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	Description string `json:"description"`
	Line        int    `json:"line"`
	// Active lists when the fault acted, per run (identical for every
	// scheme, since they share the schedule).
	Active []Span `json:"active"`
}

// Span is an interval of true time since the start of the run.
type Span struct {
	From    string `json:"from"`
	To      string `json:"to"`
	FromNs  int64  `json:"from_ns"`
	ToNs    int64  `json:"to_ns"`
	Workers []int  `json:"workers,omitempty"`
}

// Run is the result of one scheme.
type Run struct {
	Scheme string `json:"scheme"`
	Kind   string `json:"kind"`
	// Config describes the scheme's settings, e.g. "layout twitter,
	// on_clock_backward wait, max_wait 5s".
	Config string `json:"config"`
	// Notes are what the reader must know before trusting the figures,
	// e.g. that a program ran on real time and its results are not
	// reproducible from the seed.
	Notes  []string `json:"notes,omitempty"`
	Layout string   `json:"layout,omitempty"`
	Policy string   `json:"policy,omitempty"`
	// IDBits is the size of the scheme's IDs: 64 or 128.
	IDBits int `json:"id_bits"`
	// RandomBits is how many random bits a random scheme's IDs carry;
	// BirthdayExpected, for UUIDv4, is the number of duplicates the
	// birthday bound n²/2^(b+1) predicts for the IDs generated.
	RandomBits       int     `json:"random_bits,omitempty"`
	BirthdayExpected float64 `json:"birthday_expected,omitempty"`
	// Birthday follows the duplicates as IDs accumulate: at 20 moments
	// of the run, the IDs so far, the duplicates so far and the bound.
	Birthday []BirthdayPoint `json:"birthday,omitempty"`

	Offered   int64 `json:"offered"`
	Generated int64 `json:"generated"`
	Errors    int64 `json:"errors"`
	// Unserved counts requests still queued when the run ended.
	Unserved int64 `json:"unserved"`
	// Duplicates counts extra copies of already issued IDs;
	// DuplicatedIDs the distinct IDs that have copies.
	Duplicates          int64 `json:"duplicates"`
	DuplicatedIDs       int64 `json:"duplicated_ids"`
	MonotonicViolations int64 `json:"monotonic_violations"`
	// Ordered is true when the scheme promises per-generator order; only
	// then are monotonic violations explained one by one.
	Ordered bool `json:"ordered"`

	WaitTotalNs int64 `json:"wait_total_ns"`
	WaitMaxNs   int64 `json:"wait_max_ns"`
	WaitedCalls int64 `json:"waited_calls"`
	// DelayedCalls counts calls that completed after they arrived,
	// whether waiting themselves or queued behind a waiting call;
	// LatencyMeanNs averages arrival-to-completion over all completed
	// calls.
	DelayedCalls  int64   `json:"delayed_calls"`
	LatencyMeanNs float64 `json:"latency_mean_ns"`
	LatencyMaxNs  int64   `json:"latency_max_ns"`

	// PeakWorkerRate is the highest rate, in IDs per second over one rate
	// window, of any single worker; CeilingPerWorker the layout's limit.
	PeakWorkerRate    float64 `json:"peak_worker_rate"`
	PeakWorker        int     `json:"peak_worker"`
	CeilingPerWorker  float64 `json:"ceiling_per_worker,omitempty"`
	CeilingPerCluster float64 `json:"ceiling_per_cluster,omitempty"`
	// For schemes backed by a database (rangebatch, autoinc): RoundTrips
	// counts requests to it, Refused those turned away by an outage,
	// Allocated the IDs it handed out. Of those never issued, Gaps were
	// lost (buffered in a process that crashed, or in a reply that
	// reached a process that had died), BufferedAtEnd were still held by
	// generators when the run ended, and InFlightAtEnd were in replies
	// still on the way.
	RoundTrips    int64 `json:"round_trips,omitempty"`
	Refused       int64 `json:"refused,omitempty"`
	Allocated     int64 `json:"allocated,omitempty"`
	Gaps          int64 `json:"gaps,omitempty"`
	BufferedAtEnd int64 `json:"buffered_at_end,omitempty"`
	InFlightAtEnd int64 `json:"in_flight_at_end,omitempty"`
	// For central allocators (rangebatch, autoinc, tickets): whether the
	// history of allocations — each from its request leaving the worker
	// to its reply arriving — is linearizable as fetch-and-add, checked
	// with porcupine in LinearizabilityWindows windows; on a violation,
	// LinearizabilityViolation says what broke and
	// LinearizabilityFile names the HTML visualisation written beside the
	// report.
	Linearizable             *bool  `json:"linearizable,omitempty"`
	LinearizabilityOps       int    `json:"linearizability_ops,omitempty"`
	LinearizabilityWindows   int    `json:"linearizability_windows,omitempty"`
	LinearizabilityViolation string `json:"linearizability_violation,omitempty"`
	LinearizabilityFile      string `json:"linearizability_file,omitempty"`
	// Timeline samples, for the workers whose clocks a fault moved, the
	// time inside the IDs they issued against true time, around the
	// faults (Snowflake schemes).
	Timeline []WorkerTimeline `json:"timeline,omitempty"`
	// For Snowflake schemes with worker_ids: WorkerIDs names the
	// strategy, WorkerIDGrants counts the worker IDs the coordinator
	// handed out, CoordinatorRequests the claims and renewals that
	// reached it and CoordinatorDropped those a partition lost.
	WorkerIDs           string `json:"worker_ids,omitempty"`
	WorkerIDGrants      int64  `json:"worker_id_grants,omitempty"`
	CoordinatorRequests int64  `json:"coordinator_requests,omitempty"`
	CoordinatorDropped  int64  `json:"coordinator_dropped,omitempty"`
	// OfferedPerSec and GeneratedPerSec are the cluster's request and ID
	// rates over the run.
	OfferedPerSec   float64 `json:"offered_per_sec"`
	GeneratedPerSec float64 `json:"generated_per_sec"`
	// Sortedness: LateIDs counts IDs smaller than an ID issued in an
	// earlier window of SortWindowNs; the lateness is how far back the
	// earliest such ID was issued (percentiles over the late IDs). An index
	// inserts a late ID behind IDs that old.
	SortWindowNs  int64 `json:"sort_window_ns"`
	LateIDs       int64 `json:"late_ids"`
	LatenessP50Ns int64 `json:"lateness_p50_ns"`
	LatenessP99Ns int64 `json:"lateness_p99_ns"`
	MaxLatenessNs int64 `json:"max_lateness_ns"`
	// RecordBytes is the memory the record of issued IDs took.
	RecordBytes int64 `json:"record_bytes"`

	Passed       bool          `json:"passed"`
	Expectations []Expectation `json:"expectations"`

	ErrorKinds []ErrorKind `json:"error_kinds"`
	// DuplicateGroups explain every duplicate: each duplicate belongs to
	// exactly one group, and the counts add up to Duplicates.
	DuplicateGroups []DuplicateGroup `json:"duplicate_groups"`
	// MonotonicFindings explain the monotonic violations of an ordered
	// scheme, up to MaxMonotonicFindings of them; MonotonicFindingsOmitted
	// counts the rest (monotonic_violations has the total).
	MonotonicFindings        []MonotonicFinding `json:"monotonic_findings"`
	MonotonicFindingsOmitted int64              `json:"monotonic_findings_omitted,omitempty"`

	// DuplicateList is every duplicate, for duplicates.csv.
	DuplicateList []Duplicate `json:"-"`
}

// Verdict says in a word how the run fared against its expectations:
// passed, failed, or none when the scenario set none.
func (r Run) Verdict() string {
	switch {
	case len(r.Expectations) == 0:
		return "none"
	case r.Passed:
		return "passed"
	}
	return "failed"
}

// Expectation is one expectation of the scenario and whether it held.
type Expectation struct {
	Key    string `json:"key"`
	Want   string `json:"want"`
	Got    string `json:"got"`
	Passed bool   `json:"passed"`
	Line   int    `json:"line"`
}

// ErrorKind counts failed calls with one kind of error.
type ErrorKind struct {
	Kind        string `json:"kind"`
	Count       int64  `json:"count"`
	Example     string `json:"example"`
	FirstWorker int    `json:"first_worker"`
	FirstAt     string `json:"first_at"`
	FirstAtNs   int64  `json:"first_at_ns"`
}

// MaxMonotonicFindings caps the monotonic findings a run lists: a
// generator that orders nothing (random bits after the timestamp) breaks
// order on every other ID, and listing each would make results.json
// hundreds of megabytes without telling more.
const MaxMonotonicFindings = 1000

// BirthdayPoint is a moment of a run: IDs issued so far, duplicates
// measured so far, and the birthday bound n²/2^(b+1) for that many.
type BirthdayPoint struct {
	IDs      int64   `json:"ids"`
	Measured int64   `json:"measured"`
	Expected float64 `json:"expected"`
}

// WorkerTimeline is one worker's sampled IDs: for each, the true time it
// was issued and the time its timestamp field says, both in nanoseconds
// since the start of the run.
type WorkerTimeline struct {
	Worker int        `json:"worker"`
	Points [][2]int64 `json:"points"`
}

// Issue is one issue of an ID.
type Issue struct {
	Worker int `json:"worker"`
	// Index is the position of the ID among the worker's issued IDs.
	Index int64 `json:"index"`
	// At is the true time since the start of the run; Clock what the
	// worker's wall clock read.
	At      string `json:"at"`
	AtNs    int64  `json:"at_ns"`
	Clock   string `json:"clock"`
	ClockNs int64  `json:"clock_ns"`
	// WorkerID is the node ID the worker's generator was configured
	// with, e.g. "datacenter 0, worker 3".
	WorkerID string   `json:"worker_id"`
	Faults   []string `json:"faults"`
}

// Duplicate is one extra copy of an ID, with the original.
type Duplicate struct {
	// ID is a 64-bit ID as a number; absent for 128-bit IDs. IDText is the
	// ID as people write it: decimal, a UUID or a ULID.
	ID       *uint64  `json:"id,omitempty"`
	IDText   string   `json:"id_text"`
	Decoded  string   `json:"decoded,omitempty"`
	Original Issue    `json:"original"`
	Copy     Issue    `json:"copy"`
	Faults   []string `json:"faults"`
}

// DuplicateGroup gathers duplicates with the same cause: the same pair of
// workers, configured IDs and active faults.
type DuplicateGroup struct {
	OriginalWorker int       `json:"original_worker"`
	CopyWorker     int       `json:"copy_worker"`
	WorkerIDs      []string  `json:"worker_ids"`
	Faults         []string  `json:"faults"`
	Count          int64     `json:"count"`
	Explanation    string    `json:"explanation"`
	First          Duplicate `json:"first"`
	Last           Duplicate `json:"last"`
}

// MonotonicFinding is an ID not greater than the one its worker issued
// before it.
type MonotonicFinding struct {
	Worker int   `json:"worker"`
	Index  int64 `json:"index"`
	// ID and PrevID are 64-bit IDs as numbers, absent for 128-bit IDs;
	// the text forms are always there.
	ID          *uint64  `json:"id,omitempty"`
	PrevID      *uint64  `json:"prev_id,omitempty"`
	IDText      string   `json:"id_text"`
	PrevIDText  string   `json:"prev_id_text"`
	At          string   `json:"at"`
	AtNs        int64    `json:"at_ns"`
	Clock       string   `json:"clock"`
	PrevAt      string   `json:"prev_at"`
	PrevClock   string   `json:"prev_clock"`
	Faults      []string `json:"faults"`
	Explanation string   `json:"explanation"`
}

// GroupDuplicates gathers duplicates by cause — the pair of workers
// (which twin issued an ID first is chance) and the faults blamed — in
// order of each group's first copy, and has explain word each group.
func GroupDuplicates(list []Duplicate, explain func(*DuplicateGroup) string) []DuplicateGroup {
	groups := []DuplicateGroup{}
	index := map[string]int{}
	for _, d := range list {
		a, b := d.Original.Worker, d.Copy.Worker
		key := fmt.Sprint(min(a, b), max(a, b), d.Faults)
		i, ok := index[key]
		if !ok {
			i = len(groups)
			index[key] = i
			groups = append(groups, DuplicateGroup{OriginalWorker: a, CopyWorker: b,
				WorkerIDs: []string{d.Original.WorkerID, d.Copy.WorkerID}, Faults: d.Faults, First: d})
		}
		groups[i].Count++
		groups[i].Last = d
	}
	for i := range groups {
		groups[i].Explanation = explain(&groups[i])
	}
	return groups
}
