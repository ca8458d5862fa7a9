package faults

import (
	"fmt"
	"time"

	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/sim"
	"github.com/idsim/idsim/spec"
)

var dbOutageKind = KindInfo{
	Kind:     "db_outage",
	Summary:  "from `at` for `for`, the database behind range allocation and auto-increment refuses requests",
	Params:   "at, for",
	Keys:     []string{"at", "for"},
	Required: []string{"at", "for"},
	Zero:     DatabaseOutage{},
	Parse: func(m *spec.Map) (Fault, error) {
		var c struct {
			At  spec.Duration `yaml:"at"`
			For spec.Duration `yaml:"for"`
		}
		err := m.Decode(&c)
		return DatabaseOutage{At: c.At.V, For: c.For.V}, err
	},
}

// Outager is a simulated database that can be taken down.
type Outager interface {
	Outage(from, to int64)
}

// DatabaseOutage makes the database behind range allocation and
// auto-increment refuse requests from At for For. It does not apply to
// schemes without a database.
type DatabaseOutage struct {
	At  time.Duration
	For time.Duration
}

// Kind returns "db_outage".
func (DatabaseOutage) Kind() string { return "db_outage" }

// Describe says how long the database is down.
func (f DatabaseOutage) Describe() string {
	return fmt.Sprintf("database down from %v for %v", f.At, f.For)
}

// Validate checks the outage.
func (f DatabaseOutage) Validate(env Env) error {
	if err := validateAt(f.At, env); err != nil {
		return err
	}
	if f.For <= 0 {
		return fieldErr("for", "the outage needs a positive duration")
	}
	return nil
}

// Schedule takes the database down, if the world has one.
func (f DatabaseOutage) Schedule(w *sim.World, id string) error {
	db, ok := w.Service(kind.Database).(Outager)
	if !ok {
		return nil // no database: the fault does not apply
	}
	from, to := int64(f.At), int64(f.At+f.For)
	db.Outage(from, to)
	w.At(from, func(now int64) { w.Mark(f.Spans(id, len(w.Workers()), w.Config().Duration)[0]) })
	return nil
}

// Spans: the outage lasts from At for For, on no worker in particular.
func (f DatabaseOutage) Spans(id string, _ int, _ int64) []sim.Activity {
	return []sim.Activity{{Fault: id, From: int64(f.At), To: int64(f.At + f.For)}}
}

// AppliesTo reports whether s uses the database.
func (DatabaseOutage) AppliesTo(s kind.Scheme) bool { return uses(s, kind.Database) }

// Needs says what the outage strikes.
func (DatabaseOutage) Needs() string { return "a database (a central allocator)" }
