package faults

import (
	"fmt"
	"time"

	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/spec"
)

var restartKind = KindInfo{
	Kind:     "restart",
	Summary:  "at `at` the workers crash, losing in-memory state; they come back after `downtime`; `stagger` spaces them out one by one, `times` and `every` repeat the round",
	Params:   "at, workers, downtime, stagger, every, times",
	Keys:     []string{"at", "workers", "downtime", "stagger", "every", "times"},
	Required: []string{"at", "workers", "downtime"},
	Zero:     Restart{},
	Parse: func(m *spec.Map) (Fault, error) {
		var c struct {
			At       spec.Duration `yaml:"at"`
			Workers  spec.Workers  `yaml:"workers"`
			Downtime spec.Duration `yaml:"downtime"`
			Stagger  spec.Duration `yaml:"stagger"`
			Every    spec.Duration `yaml:"every"`
			Times    spec.Int      `yaml:"times"`
		}
		err := m.Decode(&c)
		return Restart{At: c.At.V, Workers: workersOf(c.Workers), Downtime: c.Downtime.V, Stagger: c.Stagger.V, Every: c.Every.V, Times: c.Times.V}, err
	},
}

// Restart crashes workers at At, losing their generators' in-memory
// state, and starts them again after Downtime. With Stagger, the k-th
// listed worker goes down k×Stagger after the first (a rolling deploy);
// with Times > 1, the whole round repeats every Every (a crash loop, or
// deploy after deploy).
type Restart struct {
	At       time.Duration
	Workers  Workers
	Downtime time.Duration
	Stagger  time.Duration
	Every    time.Duration
	Times    int64
}

// Kind returns "restart".
func (Restart) Kind() string { return "restart" }

// Describe says who restarts and how long they are down.
func (f Restart) Describe() string {
	s := fmt.Sprintf("%v crash at %v and restart after %v", f.Workers, f.At, f.Downtime)
	if f.Stagger > 0 {
		s += fmt.Sprintf(", one after another %v apart", f.Stagger)
	}
	if f.Times > 1 {
		s += fmt.Sprintf(", %d times every %v", f.Times, f.Every)
	}
	return s
}

// Validate checks the restart.
func (f Restart) Validate(env Env) error {
	if err := validateAt(f.At, env); err != nil {
		return err
	}
	if f.Downtime < 0 {
		return fieldErr("downtime", "negative downtime %v", f.Downtime)
	}
	if f.Stagger < 0 {
		return fieldErr("stagger", "negative stagger %v", f.Stagger)
	}
	if f.Times < 0 || f.Times > 1_000_000 {
		return fieldErr("times", "times %d out of range 1..1000000", f.Times)
	}
	if f.Times > 1 && f.Every <= 0 {
		return fieldErr("times", "repeating a restart needs every, the interval between rounds, e.g. every: 10ms")
	}
	if f.Every < 0 || f.Every > 0 && f.Times <= 1 {
		return fieldErr("every", "every is the interval between rounds: give a positive one with times of 2 or more")
	}
	return f.Workers.validate(env)
}

// Schedule crashes the workers and restarts them after Downtime, round
// after round. A restart's activity lasts from the crash to one second
// after the worker is back, when a restarted generator is most exposed.
func (f Restart) Schedule(w *sim.World, id string) error {
	f.rounds(len(w.Workers()), func(group []int, at int64) {
		w.At(at, func(now int64) {
			for _, i := range group {
				w.Workers()[i].Crash(now)
			}
			w.Mark(f.span(id, group, now))
		})
		w.At(at+int64(f.Downtime), func(now int64) {
			for _, i := range group {
				if err := w.Workers()[i].Restart(now); err != nil {
					w.Fail(fmt.Errorf("%s: restarting worker %d: %w", id, i, err))
				}
			}
		})
	})
	return nil
}

// span is one group's restart: from the crash to one second after the
// worker is back, when a restarted generator is most exposed.
func (f Restart) span(id string, group []int, at int64) sim.Activity {
	return sim.Activity{Fault: id, Workers: group, From: at, To: at + int64(f.Downtime) + int64(time.Second)}
}

// rounds calls do for every crash: the workers going down together and
// when.
func (f Restart) rounds(workers int, do func(group []int, at int64)) {
	ws := f.Workers.Resolve(workers)
	for r := range max(f.Times, 1) {
		for k, i := range ws {
			if f.Stagger == 0 && k > 0 {
				break
			}
			group := []int{i}
			if f.Stagger == 0 {
				group = ws
			}
			do(group, int64(f.At)+r*int64(f.Every)+int64(k)*int64(f.Stagger))
		}
	}
}

// Spans lists every crash's span.
func (f Restart) Spans(id string, workers int, _ int64) []sim.Activity {
	var out []sim.Activity
	f.rounds(workers, func(group []int, at int64) { out = append(out, f.span(id, group, at)) })
	return out
}

// Live crashes and restarts the workers.
func (f Restart) Live(p LivePlan, _ string, workers int) {
	f.rounds(workers, func(group []int, at int64) {
		for _, w := range group {
			p.Crash(w, at, int64(f.Downtime))
		}
	})
}

// MovesClocks marks restarts for the timeline: a restarted generator
// forgets how far its clock had got.
func (Restart) MovesClocks() {}
