// Package googleuuid tests github.com/google/uuid, unmodified, in virtual
// time (see thirdparty/run).
package googleuuid

import (
	"os"
	"strings"
	"testing"

	"github.com/google/uuid"

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

// newV7 builds an instance of uuid.NewV7. The library's state (the random
// reader and, from v1.6.0, the last v7 time) is package-wide: instances
// share it, as goroutines of one process do.
func newV7(env gentest.Env) (gentest.Generator, error) {
	uuid.SetRand(env.Rand())
	return gentest.Func(func() (gentest.ID, error) {
		u, err := uuid.NewV7()
		return gentest.FromBytes(u[:]), err
	}), nil
}

// v1.6.0 orders NewV7 with a 12-bit sub-millisecond counter that never
// goes back, even when the clock does.
func TestNewV7IsIncreasing(t *testing.T) {
	needVirtualTime(t)
	gentest.Check(t, newV7, gentest.Promises{Unique: true, UniqueAcrossRestarts: true, UniqueWithSharedWorker: true, Increasing: true, NoErrors: true}, gentest.Options{VirtualTime: true})
}
