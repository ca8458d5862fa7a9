package faults

import (
	"errors"
	"testing"
	"time"

	"github.com/idsim/idsim/generators/snowflake"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/sim/check"
	"github.com/idsim/idsim/sim/schemes"
)

var env = Env{Workers: 8, Duration: 2 * time.Second}

func TestValidate(t *testing.T) {
	flood, _ := sim.ParseRate("1M/s")
	tests := []struct {
		f     Fault
		field string // "" means valid
	}{
		{ClockStep{At: time.Second, Workers: Workers{1}, By: -time.Second}, ""},
		{ClockStep{At: time.Second, By: time.Second}, ""},
		{ClockStep{At: 3 * time.Second, By: -time.Second}, "at"},
		{ClockStep{At: -1, By: -time.Second}, "at"},
		{ClockStep{At: time.Second}, "by"},
		{ClockStep{At: time.Second, Workers: Workers{8}, By: 1}, "workers"},
		{ClockStep{At: time.Second, Workers: Workers{1, 1}, By: 1}, "workers"},
		{DuplicateWorkerID{Workers: Workers{1, 2}}, ""},
		{DuplicateWorkerID{Workers: Workers{1}}, "workers"},
		{SequenceFlood{At: 0, For: time.Second, Rate: flood}, ""},
		{SequenceFlood{At: 0, Rate: flood}, "for"},
		{SequenceFlood{At: 0, For: time.Second}, "rate"},
		{ClockDrift{PPM: 100}, ""},
		{ClockDrift{PPM: 0}, "ppm"},
		{ClockDrift{PPM: -1e6}, "ppm"},
		{ClockFreeze{For: time.Millisecond}, ""},
		{ClockFreeze{}, "for"},
		{Pause{For: time.Second}, ""},
		{Pause{}, "for"},
		{Restart{Downtime: time.Second}, ""},
		{Restart{Downtime: -1}, "downtime"},
	}
	for _, tt := range tests {
		err := tt.f.Validate(env)
		var fe *FieldError
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("%s: unexpected error %v", tt.f.Describe(), err)
		case tt.field != "" && (!errors.As(err, &fe) || fe.Field != tt.field):
			t.Errorf("%+v: error %v, want one about %q", tt.f, err, tt.field)
		}
	}
}

func run(t *testing.T, policy snowflake.Policy, fs ...Fault) (*sim.World, []sim.DuplicateFinding) {
	t.Helper()
	ids := make([]sim.Identity, env.Workers)
	for i := range ids {
		ids[i] = sim.Identity{Node: i}
	}
	w, err := sim.New(sim.Config{
		Seed: 1, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano(), Duration: int64(env.Duration),
		Workers: ids, Load: sim.Load{Rate: sim.PerSecond(2000)},
		Scheme: schemes.Snowflake{Layout: snowflake.Twitter, OnBackward: policy, MaxWait: time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range fs {
		if err := f.Validate(env); err != nil {
			t.Fatal(err)
		}
		if err := f.Schedule(w, f.Kind()+"#"+string(rune('1'+i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	return w, w.ExplainDuplicates(check.Duplicates(w.Logs()))
}

func TestDuplicateWorkerIDCausesDuplicates(t *testing.T) {
	w, dups := run(t, snowflake.Error, DuplicateWorkerID{At: 500 * time.Millisecond, Workers: Workers{2, 5}})
	if len(dups) == 0 {
		t.Fatal("no duplicates from a shared worker ID")
	}
	for _, d := range dups {
		pair := [2]int{d.Original.Worker, d.Copy.Worker}
		if pair != [2]int{2, 5} && pair != [2]int{5, 2} {
			t.Fatalf("duplicate between workers %v", pair)
		}
		if d.Original.Identity != d.Copy.Identity || d.Copy.Identity != (sim.Identity{Node: 2}) {
			t.Fatalf("identities %+v and %+v", d.Original.Identity, d.Copy.Identity)
		}
		if d.Copy.Time < int64(500*time.Millisecond) || len(d.Faults) != 1 || d.Faults[0] != "duplicate_worker_id#1" {
			t.Fatalf("finding %+v", d)
		}
	}
	if w.Workers()[5].IdentityAt(0) != (sim.Identity{Node: 5}) {
		t.Error("identity history lost")
	}
}

func TestDriftFreezePauseRestartRun(t *testing.T) {
	w, dups := run(t, snowflake.Error,
		ClockDrift{At: 100 * time.Millisecond, For: time.Second, Workers: Workers{0}, PPM: 200_000},
		ClockFreeze{At: 200 * time.Millisecond, For: 50 * time.Millisecond, Workers: Workers{1}},
		Pause{At: 300 * time.Millisecond, For: 100 * time.Millisecond, Workers: Workers{2}},
		Restart{At: 400 * time.Millisecond, Downtime: 100 * time.Millisecond, Workers: Workers{3}},
	)
	if len(dups) != 0 {
		t.Errorf("%d duplicates", len(dups))
	}
	c := w.Workers()[0].Clock()
	start := c.ReadingAt(0)
	if got := c.ReadingAt(int64(1100*time.Millisecond)) - start; got != int64(1300*time.Millisecond) {
		t.Errorf("drifting clock advanced %v in 1.1s, want 1.3s", time.Duration(got))
	}
	if got := w.Workers()[1].Clock().ReadingAt(int64(time.Second)) - w.Workers()[1].Clock().ReadingAt(0); got != int64(950*time.Millisecond) {
		t.Errorf("frozen clock advanced %v in 1s, want 950ms", time.Duration(got))
	}
	if w.Workers()[2].Stats().LatencyMax < int64(90*time.Millisecond) {
		t.Error("pause did not delay calls")
	}
	if w.Workers()[3].Stats().Errors == 0 {
		t.Error("restart lost no calls")
	}
	if got := w.ActiveAt(3, int64(450*time.Millisecond)); len(got) != 1 || got[0] != "restart#4" {
		t.Errorf("active at 450ms on worker 3: %v", got)
	}
}
