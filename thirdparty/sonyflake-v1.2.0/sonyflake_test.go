// Package sonyflake tests github.com/sony/sonyflake, unmodified, in
// virtual time (see thirdparty/run).
package sonyflake

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sony/sonyflake"

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

// newFlake builds a Sonyflake with the instance's worker ID as its
// machine ID. It reads the wall clock in 10 ms units, keeps issuing from
// its last time when the clock goes back, and sleeps when the 256 IDs of
// a unit run out.
func newFlake(env gentest.Env) (gentest.Generator, error) {
	sf, err := sonyflake.New(sonyflake.Settings{
		StartTime: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		MachineID: func() (uint16, error) { return uint16(env.Worker), nil },
	})
	if err != nil {
		return nil, err
	}
	return gentest.Func(func() (gentest.ID, error) {
		id, err := sf.NextID()
		return gentest.ID{Lo: id}, err
	}), nil
}

// Restarts take 100 ms, so that repeating an ID across one needs the
// clock set back.
var opts = gentest.Options{VirtualTime: true, MaxWorker: 65535, Downtime: 100 * time.Millisecond}

func TestUniqueAndIncreasingWithinAProcess(t *testing.T) {
	needVirtualTime(t)
	gentest.Check(t, newFlake, gentest.Promises{Unique: true, Increasing: true, NoErrors: true}, opts)
}

// Its last time lives in memory only: a restart after the clock was set
// back repeats IDs.
func TestRestartAfterClockSetBackRepeats(t *testing.T) {
	needVirtualTime(t)
	mustBreak(t, newFlake, gentest.Promises{Unique: true, UniqueAcrossRestarts: true}, opts, "after 100ms down", "clock -", "UniqueAcrossRestarts")
}
