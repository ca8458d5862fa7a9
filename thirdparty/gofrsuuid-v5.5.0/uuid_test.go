// Package gofrsuuid tests github.com/gofrs/uuid/v5, unmodified, in
// virtual time (see thirdparty/run).
package gofrsuuid

import (
	"os"
	"strings"
	"testing"

	"github.com/gofrs/uuid/v5"

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

// newV7 builds a generator of its own (it reads time.Now by default).
func newV7(env gentest.Env) (gentest.Generator, error) {
	g := uuid.NewGenWithOptions(uuid.WithRandomReader(env.Rand()))
	return gentest.Func(func() (gentest.ID, error) {
		u, err := g.NewV7()
		return gentest.FromBytes(u[:]), err
	}), nil
}

// v5.5.0 reseeds an 11-bit counter each millisecond, moves the timestamp
// ahead when it runs out, and holds it when the clock goes back.
func TestNewV7IsIncreasing(t *testing.T) {
	needVirtualTime(t)
	gentest.Check(t, newV7, gentest.Promises{Unique: true, UniqueAcrossRestarts: true, UniqueWithSharedWorker: true, Increasing: true, NoErrors: true}, gentest.Options{VirtualTime: true})
}
