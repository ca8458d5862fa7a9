package snowflake

import (
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/sim/coord"
	"github.com/idsim/idsim/sim/schemes"
	"github.com/idsim/idsim/spec"
)

// workerIDs says how a snowflake scheme's workers get their worker IDs.
type workerIDs struct {
	p                    spec.Pos
	set                  bool
	Strategy             spec.Text     `yaml:"strategy"`
	TTL                  spec.Duration `yaml:"ttl"`
	Heartbeat            spec.Duration `yaml:"heartbeat"`
	SafetyMargin         spec.Text     `yaml:"safety_margin"`
	PerDatacenter        spec.Bool     `yaml:"per_datacenter"`
	StartupWait          spec.Duration `yaml:"startup_wait"`
	PersistLastTimestamp spec.Bool     `yaml:"persist_last_timestamp"`
	FirstSequence        spec.Int      `yaml:"first_sequence"`
}

// WorkerIDKeys are the keys of a worker_ids mapping.
var WorkerIDKeys = []string{"strategy", "ttl", "heartbeat", "safety_margin", "per_datacenter", "startup_wait", "persist_last_timestamp", "first_sequence"}

// UnmarshalYAML implements the YAML decoder's node unmarshaler.
func (s *workerIDs) UnmarshalYAML(n ast.Node) error {
	p, err := spec.Mapping(n, "worker_ids")
	if err != nil {
		return err
	}
	type plain workerIDs
	if err := spec.DecodeStrict(n, (*plain)(s)); err != nil {
		return err
	}
	s.p, s.set = p, true
	return nil
}

// Worker-ID strategies as scenario files name them.
var workerIDStrategies = []string{"static", "ephemeral_sequential_mod", "claim_lowest_free", "lease"}

// build checks a worker_ids mapping and fills in defaults.
func (w workerIDs) build(env kind.Env) (schemes.WorkerIDs, error) {
	ids := schemes.WorkerIDs{Strategy: coord.Static, Latency: env.Network}
	if !w.set {
		return ids, nil
	}
	strategy := "static"
	if w.Strategy.Set {
		strategy = w.Strategy.V
	}
	switch strategy {
	case "static":
	case "ephemeral_sequential_mod":
		ids.Strategy = coord.SequentialMod
	case "claim_lowest_free":
		ids.Strategy = coord.LowestFree
	case "lease":
		ids.Strategy, ids.Fence, ids.Lease = coord.LowestFree, true, true
	default:
		return ids, spec.Errorf(w.Strategy.P, "unknown worker_ids strategy %q (one of: %s)", strategy, strings.Join(workerIDStrategies, ", "))
	}
	session := ids.Strategy != coord.Static || w.PersistLastTimestamp.V
	for _, k := range []struct {
		name string
		set  bool
		p    spec.Pos
	}{{"ttl", w.TTL.Set, w.TTL.P}, {"heartbeat", w.Heartbeat.Set, w.Heartbeat.P}, {"per_datacenter", w.PerDatacenter.Set, w.PerDatacenter.P}} {
		if k.set && !session {
			return ids, spec.Errorf(k.p, "%s applies to strategies with sessions (ephemeral_sequential_mod, claim_lowest_free, lease) or to persist_last_timestamp, not to plain static IDs", k.name)
		}
	}
	if w.SafetyMargin.Set && strategy != "lease" {
		return ids, spec.Errorf(w.SafetyMargin.P, "safety_margin applies to strategy lease")
	}
	if w.FirstSequence.Set && ids.Strategy != coord.SequentialMod {
		return ids, spec.Errorf(w.FirstSequence.P, "first_sequence applies to strategy ephemeral_sequential_mod")
	}
	ids.TTL, ids.Heartbeat = 10*time.Second, 0
	if w.TTL.Set {
		if w.TTL.V <= 0 {
			return ids, spec.Errorf(w.TTL.P, "ttl must be positive")
		}
		ids.TTL = w.TTL.V
	}
	ids.Heartbeat = ids.TTL / 3
	if w.Heartbeat.Set {
		if w.Heartbeat.V <= 0 || w.Heartbeat.V >= ids.TTL {
			return ids, spec.Errorf(w.Heartbeat.P, "heartbeat must be positive and shorter than ttl (%v)", ids.TTL)
		}
		ids.Heartbeat = w.Heartbeat.V
	}
	if ids.Fence {
		ids.Margin = ids.TTL / 3
		if w.SafetyMargin.Set {
			if w.SafetyMargin.V == "none" {
				ids.Fence, ids.Margin = false, 0
			} else {
				m, err := time.ParseDuration(w.SafetyMargin.V)
				if err != nil && w.SafetyMargin.V != "0" {
					return ids, spec.Errorf(w.SafetyMargin.P, "safety_margin: want a duration such as 2s, or none to issue until told the lease is gone; got %q", w.SafetyMargin.V)
				}
				if m < 0 || m >= ids.TTL-ids.Heartbeat {
					return ids, spec.Errorf(w.SafetyMargin.P, "safety_margin %v must be at least 0 and less than ttl - heartbeat (%v), or the lease could never be used", m, ids.TTL-ids.Heartbeat)
				}
				ids.Margin = m
			}
		}
	}
	ids.PerDatacenter = w.PerDatacenter.V
	if w.StartupWait.Set {
		if w.StartupWait.V < 0 {
			return ids, spec.Errorf(w.StartupWait.P, "startup_wait must not be negative")
		}
		ids.StartupWait = w.StartupWait.V
	}
	if w.PersistLastTimestamp.Set {
		ids.PersistLastTimestamp = w.PersistLastTimestamp.V
	}
	if w.FirstSequence.Set {
		if w.FirstSequence.V < 0 {
			return ids, spec.Errorf(w.FirstSequence.P, "first_sequence must not be negative")
		}
		ids.SeqStart = w.FirstSequence.V
	}
	return ids, nil
}
