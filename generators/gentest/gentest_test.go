package gentest_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/idsim/idsim/generators/faulty"
	"github.com/idsim/idsim/generators/gentest"
	"github.com/idsim/idsim/generators/internal/rapidtest"
	"github.com/idsim/idsim/generators/snowflake"
	"github.com/idsim/idsim/generators/ulid"
	"github.com/idsim/idsim/generators/uuid"
)

func TestMain(m *testing.M) {
	rapidtest.DefaultSeed()
	os.Exit(m.Run())
}

func twitter(policy snowflake.Policy) gentest.Factory {
	return func(env gentest.Env) (gentest.Generator, error) {
		dc, w, _ := snowflake.Twitter.SplitNode(env.Worker)
		g, err := snowflake.New(snowflake.Config{Layout: snowflake.Twitter, Datacenter: dc, Worker: w, OnBackward: policy, MaxWait: time.Second}, env.Clock)
		return gentest.Func(func() (gentest.ID, error) {
			id, err := g.Next()
			return gentest.ID{Lo: id}, err
		}), err
	}
}

// Our generators keep what they promise.
func TestOurGenerators(t *testing.T) {
	for _, p := range []snowflake.Policy{snowflake.Error, snowflake.Wait, snowflake.Borrow} {
		t.Run("snowflake-"+p.String(), func(t *testing.T) {
			gentest.Check(t, twitter(p), gentest.Promises{Unique: true, Increasing: true}, gentest.Options{})
		})
	}
	t.Run("uuidv7", func(t *testing.T) {
		gentest.Check(t, func(env gentest.Env) (gentest.Generator, error) {
			g, err := uuid.NewV7(uuid.V7Config{}, env.Clock, env.Entropy)
			return gentest.Func(func() (gentest.ID, error) {
				hi, lo, err := g.NextHiLo()
				return gentest.ID{Hi: hi, Lo: lo}, err
			}), err
		}, gentest.Promises{Unique: true, UniqueAcrossRestarts: true, UniqueWithSharedWorker: true, Increasing: true, NoErrors: true}, gentest.Options{})
	})
	t.Run("ulid", func(t *testing.T) {
		gentest.Check(t, func(env gentest.Env) (gentest.Generator, error) {
			g, err := ulid.New(ulid.Config{}, env.Clock, env.Entropy)
			return gentest.Func(func() (gentest.ID, error) {
				hi, lo, err := g.NextHiLo()
				return gentest.ID{Hi: hi, Lo: lo}, err
			}), err
		}, gentest.Promises{Unique: true, UniqueAcrossRestarts: true, UniqueWithSharedWorker: true, Increasing: true, NoErrors: true}, gentest.Options{})
	})
}

// What a Snowflake cannot promise, Check shows: the ignore policy
// repeats IDs when the clock goes back, and even a correct policy repeats
// them across a restart after the clock was set back.
func TestSnowflakeLimits(t *testing.T) {
	if failed, _ := rapidtest.Fails("ignore", gentest.Property(twitter(snowflake.Ignore), gentest.Promises{Unique: true}, gentest.Options{})); !failed {
		t.Error("the ignore policy kept Unique")
	}
	if failed, report := rapidtest.Fails("restarts", gentest.Property(twitter(snowflake.Error), gentest.Promises{Unique: true, UniqueAcrossRestarts: true}, gentest.Options{})); !failed {
		t.Error("a Snowflake kept UniqueAcrossRestarts")
	} else if !strings.Contains(report, "restart") || !strings.Contains(report, "step") {
		t.Errorf("the shrunk schedule should need a backward step and a restart:\n%s", report)
	}
}

func faultySnowflake(l snowflake.Layout, bug faulty.Bug) gentest.Factory {
	return func(env gentest.Env) (gentest.Generator, error) {
		g, err := faulty.NewSnowflake(l, 0, env.Worker, bug, env.Clock)
		return gentest.Func(func() (gentest.ID, error) {
			id, err := g.Next()
			return gentest.ID{Lo: id}, err
		}), err
	}
}

// The broken copies fail, with a short readable schedule.
func TestBrokenGeneratorsFail(t *testing.T) {
	// A layout with the sequence above a 2-bit worker field: a worker ID
	// of 4 or more overflows into the sequence.
	tiny := snowflake.Layout{Name: "tiny", Epoch: snowflake.Twitter.Epoch, Unit: time.Millisecond,
		Time:     snowflake.Field{Bits: 41, Shift: 6},
		Sequence: snowflake.Field{Bits: 4, Shift: 2},
		Worker:   snowflake.Field{Bits: 2, Shift: 0}}
	for _, tt := range []struct {
		name    string
		f       gentest.Factory
		p       gentest.Promises
		o       gentest.Options
		mention string
	}{
		{"twitter-2010 sequence reset", faultySnowflake(snowflake.Twitter, faulty.SequenceResetBeforeClockCheck),
			gentest.Promises{Unique: true}, gentest.Options{MaxWorker: 31, NoRestarts: true}, "repeated an ID (Unique)"},
		{"v7 counter wraps", func(env gentest.Env) (gentest.Generator, error) {
			g, err := faulty.NewV7(faulty.CounterNeverReset, env.Clock, env.Entropy)
			return gentest.Func(func() (gentest.ID, error) {
				hi, lo := g.NextHiLo()
				return gentest.ID{Hi: hi, Lo: lo}, nil
			}), err
		}, gentest.Promises{Increasing: true}, gentest.Options{}, "not increasing"},
		{"worker overflows into the sequence", faultySnowflake(tiny, faulty.UnmaskedWorker),
			gentest.Promises{Unique: true}, gentest.Options{MaxWorker: 7}, "(Unique)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			failed, report := rapidtest.Fails(tt.name, gentest.Property(tt.f, tt.p, tt.o))
			if !failed {
				t.Fatal("the broken generator kept its promises")
			}
			if !strings.Contains(report, tt.mention) {
				t.Errorf("report does not say %q:\n%s", tt.mention, report)
			}
			// Shrunk: the schedule is short.
			i := strings.Index(report, "after this schedule")
			if i < 0 {
				t.Fatalf("no schedule in the report:\n%s", report)
			}
			steps := 0
			for _, line := range strings.Split(report[i:], "\n")[1:] {
				if strings.TrimSpace(line) == "" {
					break
				}
				if !strings.HasPrefix(strings.TrimSpace(line), "i") {
					steps++
				}
			}
			if steps == 0 || steps > 8 {
				t.Errorf("schedule of %d steps is not minimal:\n%s", steps, report[i:])
			}
			t.Logf("%s", report[strings.LastIndex(report[:i], "step "):])
		})
	}
}
