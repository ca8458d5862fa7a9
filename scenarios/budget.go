package scenarios

import (
	"bufio"
	"fmt"
	"math"
	"math/big"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/idsim/idsim/faults"
	"github.com/idsim/idsim/spec"
)

// Limits on the size of a scenario, checked when it is loaded, so that no
// file can make idsim hold more than the machine has or run for ever.
const (
	// MaxIDs is the most IDs one scheme's run may be asked for: the base
	// load and every flood together. A run of 64-bit IDs this long
	// spills its record to disk (see SpilledBytesPerID).
	MaxIDs = 10_000_000_000
	// MaxWideIDs is the same for 128-bit IDs, whose uniqueness check
	// holds a hash of every ID in memory.
	MaxWideIDs = 1_000_000_000
	// MaxEvents is the most fault events (a restart of one worker, one
	// round) a scenario may schedule.
	MaxEvents = 10_000_000
	// MaxSchemes and MaxFaults cap the lists.
	MaxSchemes = 100
	MaxFaults  = 10_000
	// MaxDescription caps the description, in bytes.
	MaxDescription = 64 << 10
	// MaxDepth caps how deeply a scenario file's YAML may nest.
	MaxDepth = 32
	// BytesPerID is what a simulated 64-bit ID costs at the peak of a
	// run, at most: the record (2.4 bytes for a busy time-ordered
	// worker, up to about 10 for random 64-bit IDs) and what the checks
	// allocate beside it (8 bytes per ID of blocks that are not sorted).
	// The one-billion-ID Snowflake benchmark scenario (scenarios/bench)
	// peaks at 2.6 bytes per ID.
	BytesPerID = 12
	// BytesPerWideID is the same for a 128-bit ID: the record (about 16
	// bytes: the low half raw, the high half and the time coded) and the
	// 64-bit hash of every ID that the uniqueness check holds in growing
	// lists. 1e8 UUIDv7s peak at 37 bytes per ID.
	BytesPerWideID = 40
	// RecordShare is the share of the memory budget the record of a run
	// may hold in memory; past it, its sealed chunks spill to a
	// temporary file.
	RecordShare = 0.5
	// SpilledBytesPerID is what a 64-bit ID costs in memory, beside the
	// record's share of the budget, when the record spills: its block's
	// header, restart points and millisecond runs (0.25 bytes for a busy
	// worker) and the checks' lists of blocks.
	SpilledBytesPerID = 0.5
	// SpilledBytesPerWorker is what each worker's record keeps in memory
	// however much spills: its fill buffer and the chunk it fills.
	SpilledBytesPerWorker = 100_000
)

// Estimate is what one scheme's run of a scenario will ask for, and
// which line of the file asks for the most.
type Estimate struct {
	IDs float64
	// Wide is true when some scheme issues 128-bit IDs.
	Wide   bool
	Events float64
	// Workers is the number of workers.
	Workers int
	// Driver says what contributes most IDs, and At where it is.
	Driver string
	At     spec.Pos
}

// Bytes is the memory the run will need at its peak.
func (e Estimate) Bytes() float64 {
	if e.Wide {
		return e.IDs * BytesPerWideID
	}
	return e.IDs * BytesPerID
}

// Need is the memory the run will need at its peak within a budget, and
// whether its record will spill to disk to stay within it: a run of
// 64-bit IDs that would need more than the budget in memory keeps
// RecordShare of the budget for its record and spills the rest.
func (e Estimate) Need(budget float64) (bytes float64, spills bool) {
	if in := e.Bytes(); e.Wide || in <= budget {
		return in, false
	}
	return min(e.Bytes(), budget*RecordShare+e.IDs*SpilledBytesPerID+float64(e.Workers)*SpilledBytesPerWorker), true
}

// Estimate adds up the IDs the base load and every flood ask for, and
// the events faults schedule.
func (sc *Scenario) Estimate() Estimate {
	rate := func(r *big.Rat, workers int, d time.Duration) float64 {
		f, _ := r.Float64()
		return f * float64(workers) * d.Seconds()
	}
	e := Estimate{IDs: rate(sc.Load.Rate.PerSec, sc.Workers, sc.Duration), Workers: sc.Workers, Driver: "the base load", At: sc.LoadAt}
	for _, s := range sc.Schemes {
		e.Wide = e.Wide || s.IDBits > 64
	}
	most := e.IDs
	for _, f := range sc.Faults {
		switch x := f.Fault.(type) {
		case faults.SequenceFlood:
			n := rate(x.Rate.PerSec, len(x.Workers.Resolve(sc.Workers)), min(x.For, sc.Duration-x.At))
			e.IDs += n
			if n > most {
				most, e.Driver, e.At = n, f.ID, spec.Pos{Line: f.Line, Col: f.Col}
			}
		case faults.Restart:
			e.Events += float64(max(x.Times, 1)) * float64(len(x.Workers.Resolve(sc.Workers)))
		}
	}
	return e
}

// checkSize refuses a scenario whose runs would be too big, at the line
// that asks for the most.
func checkSize(sc *Scenario) error {
	e := sc.Estimate()
	if e.Wide && e.IDs > MaxWideIDs {
		return errAt(e.At, "the scenario asks for about %.3g IDs per scheme, most of them from %s; the limit is %.0g for 128-bit IDs (each takes up to %d bytes of memory at the peak of a run)",
			e.IDs, e.Driver, float64(MaxWideIDs), BytesPerWideID)
	}
	if e.IDs > MaxIDs {
		return errAt(e.At, "the scenario asks for about %.3g IDs per scheme, most of them from %s; the limit is %.0g (each takes up to %d bytes of memory at the peak of a run, or %g beside the record's share of the budget when the record spills to disk)",
			e.IDs, e.Driver, float64(MaxIDs), BytesPerID, SpilledBytesPerID)
	}
	if e.Events > MaxEvents {
		for _, f := range sc.Faults {
			if r, ok := f.Fault.(faults.Restart); ok && float64(max(r.Times, 1))*float64(len(r.Workers.Resolve(sc.Workers))) > MaxEvents/10 {
				return errAt(pos{Line: f.Line, Col: f.Col}, "%s restarts workers %.3g times in all (times × workers); the scenario's faults may schedule at most %d events", f.ID, float64(max(r.Times, 1))*float64(len(r.Workers.Resolve(sc.Workers))), MaxEvents)
			}
		}
		return errAt(pos{Line: 1, Col: 1}, "the faults schedule %.3g events; the limit is %d", e.Events, MaxEvents)
	}
	return nil
}

// BudgetError says a run would need more memory than it may use.
type BudgetError struct {
	Scenario string
	Estimate Estimate
	Budget   float64
}

func (e *BudgetError) Error() string {
	need, spills := e.Estimate.Need(e.Budget)
	how := ""
	if spills {
		how = ", even with its record spilled to disk"
	}
	return fmt.Sprintf("scenario %s would need about %s of memory for %.3g IDs per scheme (most from %s, line %d)%s; the budget is %s — raise it with --max-memory (or IDSIM_MAX_MEMORY), or ask for fewer IDs",
		e.Scenario, gib(need), e.Estimate.IDs, e.Estimate.Driver, e.Estimate.At.Line, how, gib(e.Budget))
}

func gib(b float64) string {
	if b < 1e9 {
		return fmt.Sprintf("%.0f MB", b/1e6)
	}
	return fmt.Sprintf("%.1f GB", b/1e9)
}

// DefaultBudget is the memory a run may use when the options do not
// say: IDSIM_MAX_MEMORY (bytes, or with a k, M, G suffix) if set, else
// 80% of the memory the system has available, else no limit.
func DefaultBudget() float64 {
	if v := os.Getenv("IDSIM_MAX_MEMORY"); v != "" {
		if b, err := ParseBytes(v); err == nil {
			return b
		}
	}
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return math.Inf(1)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var kb float64
		if n, _ := fmt.Sscanf(sc.Text(), "MemAvailable: %f kB", &kb); n == 1 {
			return 0.8 * kb * 1024
		}
	}
	return math.Inf(1)
}

// ParseBytes reads a memory size: a number of bytes, or one with a k, M,
// G or T suffix, with or without B (powers of 1000; KiB, MiB, GiB, TiB
// powers of 1024).
func ParseBytes(s string) (float64, error) {
	units := []struct {
		suffix string
		mul    float64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
		{"kB", 1e3}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
		{"k", 1e3}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"B", 1}}
	num, mul := s, 1.0
	for _, u := range units {
		if t, ok := strings.CutSuffix(s, u.suffix); ok {
			num, mul = t, u.mul
			break
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v <= 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("want a memory size such as 4G or 512MiB, got %q", s)
	}
	return v * mul, nil
}

// checkDepth refuses YAML that nests deeper than MaxDepth — flow
// brackets or block indentation — before the YAML library sees it (a
// file of nested brackets exhausts memory inside it). A quote opens a
// quoted scalar only where a scalar can start, so an apostrophe in plain
// text cannot hide what follows it.
func checkDepth(src []byte) error {
	depth, line, col := 0, 1, 0
	var quote byte
	comment, atStart, indent := false, true, 0
	prev := byte('\n') // the last character that was not a blank
	var indents []int
	for i, c := range src {
		col++
		if c == '\n' {
			line, col, comment, atStart, indent = line+1, 0, false, true, 0
			if quote == 0 {
				prev = '\n'
			}
			continue
		}
		if atStart && quote == 0 {
			if c == ' ' {
				indent++
				continue
			}
			atStart = false
			if c != '#' && depth == 0 {
				for len(indents) > 0 && indents[len(indents)-1] >= indent {
					indents = indents[:len(indents)-1]
				}
				indents = append(indents, indent)
				if len(indents) > MaxDepth {
					return errAt(pos{Line: line, Col: col}, "the file nests deeper than %d levels", MaxDepth)
				}
			}
		}
		switch {
		case comment:
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case (c == '"' || c == '\'') && strings.IndexByte("\n:-[{,?", prev) >= 0:
			quote = c
		case c == '#' && (i == 0 || src[i-1] == ' ' || src[i-1] == '\t' || src[i-1] == '\n'):
			comment = true
		case c == '[' || c == '{':
			depth++
			if depth+len(indents) > MaxDepth {
				return errAt(pos{Line: line, Col: col}, "the file nests deeper than %d levels", MaxDepth)
			}
		case c == ']' || c == '}':
			depth = max(0, depth-1)
		}
		if c != ' ' && c != '\t' {
			prev = c
		}
	}
	return nil
}
