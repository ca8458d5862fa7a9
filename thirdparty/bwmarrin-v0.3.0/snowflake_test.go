// Package bwmarrin tests github.com/bwmarrin/snowflake, unmodified, in
// virtual time (see thirdparty/run).
package bwmarrin

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/snowflake"

	"github.com/idsim/idsim/generators/gentest"
	"github.com/idsim/idsim/generators/vtime"
)

func TestMain(m *testing.M) {
	gentest.DefaultSeed()
	os.Exit(m.Run())
}

// needVirtualTime skips without idsim's overlay of package time, unless
// IDSIM_VTIME=1 says it should be there (thirdparty/run sets it).
func needVirtualTime(t *testing.T) {
	t.Helper()
	if !vtime.Available() {
		if os.Getenv("IDSIM_VTIME") == "1" {
			t.Fatal(vtime.Err())
		}
		t.Skip(vtime.Err())
	}
}

// mustBreak fails unless the promises break, and logs the shrunk
// schedule that breaks them.
func mustBreak(t *testing.T, f gentest.Factory, p gentest.Promises, o gentest.Options, mention ...string) {
	t.Helper()
	broken, report := gentest.Find(f, p, o)
	if !broken {
		t.Fatalf("kept %+v, expected to break it", p)
	}
	for _, m := range mention {
		if !strings.Contains(report, m) {
			t.Errorf("the report does not mention %q:\n%s", m, report)
		}
	}
	if i := strings.Index(report, "To reproduce"); i > 0 {
		report = report[:i]
	}
	t.Logf("broken as expected:\n%s", report)
}

// newNode builds a snowflake.Node. It anchors its epoch on time.Now at
// NewNode and measures time since with the monotonic clock, and spins
// when its 4096 IDs of a millisecond run out: time passes per read.
func newNode(env gentest.Env) (gentest.Generator, error) {
	n, err := snowflake.NewNode(env.Worker)
	if err != nil {
		return nil, err
	}
	return gentest.Func(func() (gentest.ID, error) {
		return gentest.ID{Lo: uint64(n.Generate().Int64())}, nil
	}), nil
}

// Restarts take 1 ms, so that repeating an ID across one needs the clock
// set back; steps of up to 20 ms make one that lands the restarted node
// on a millisecond the old one used likely enough to be found.
var opts = gentest.Options{VirtualTime: true, PerRead: 100 * time.Nanosecond, MaxWorker: 1023, Downtime: time.Millisecond, MaxClockStep: 20 * time.Millisecond}

// Within a process, wall-clock steps do not reach it: it follows the
// monotonic clock, and the overlay moves that one consistently.
func TestUniqueAndIncreasingWithinAProcess(t *testing.T) {
	needVirtualTime(t)
	gentest.Check(t, newNode, gentest.Promises{Unique: true, Increasing: true, NoErrors: true}, opts)
}

// A restart re-anchors on the wall clock: after the clock was set back,
// the new process repeats IDs the old one issued (bwmarrin/snowflake
// issue 20).
func TestRestartAfterClockSetBackRepeats(t *testing.T) {
	needVirtualTime(t)
	mustBreak(t, newNode, gentest.Promises{Unique: true, UniqueAcrossRestarts: true}, opts, "after 1ms down", "clock -", "UniqueAcrossRestarts")
}
