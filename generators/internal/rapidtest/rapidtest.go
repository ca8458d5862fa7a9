// Package rapidtest lets a test assert that a rapid property fails: the
// way to show that a property test can catch a planted bug.
package rapidtest

import (
	"flag"
	"fmt"
	"strings"
	"sync"

	"pgregory.net/rapid"
)

// recorder is a rapid.TB that remembers failures instead of failing the
// surrounding test.
type recorder struct {
	name   string
	failed bool
	log    strings.Builder
}

type stop struct{}

func (r *recorder) Helper()                         {}
func (r *recorder) Name() string                    { return r.name }
func (r *recorder) Logf(format string, args ...any) { fmt.Fprintf(&r.log, format+"\n", args...) }
func (r *recorder) Log(args ...any)                 { fmt.Fprintln(&r.log, args...) }
func (r *recorder) Skipf(format string, args ...any) {
	r.Logf(format, args...)
	panic(stop{})
}
func (r *recorder) Skip(args ...any) { r.Log(args...); panic(stop{}) }
func (r *recorder) SkipNow()         { panic(stop{}) }
func (r *recorder) Errorf(format string, args ...any) {
	r.failed = true
	r.Logf(format, args...)
}
func (r *recorder) Error(args ...any) { r.failed = true; r.Log(args...) }
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	panic(stop{})
}
func (r *recorder) Fatal(args ...any) { r.Error(args...); panic(stop{}) }
func (r *recorder) FailNow()          { r.failed = true; panic(stop{}) }
func (r *recorder) Fail()             { r.failed = true }
func (r *recorder) Failed() bool      { return r.failed }

var mu sync.Mutex

// Fails runs prop under rapid.Check and reports whether rapid found a
// failing case, with rapid's report (the shrunk case). It does not write
// rapid's fail files.
func Fails(name string, prop func(*rapid.T)) (failed bool, report string) {
	mu.Lock()
	defer mu.Unlock()
	if f := flag.Lookup("rapid.nofailfile"); f != nil {
		old := f.Value.String()
		flag.Set("rapid.nofailfile", "true")
		defer flag.Set("rapid.nofailfile", old)
	}
	// A search that must find a failure gets more cases than a check
	// (rapid runs a fifth of them under -short): it stops at the first.
	if f := flag.Lookup("rapid.checks"); f != nil {
		old := f.Value.String()
		flag.Set("rapid.checks", "1000")
		defer flag.Set("rapid.checks", old)
	}
	r := &recorder{name: name}
	func() {
		defer func() {
			if p := recover(); p != nil {
				if _, ok := p.(stop); !ok {
					panic(p)
				}
			}
		}()
		rapid.Check(r, prop)
	}()
	return r.failed, r.log.String()
}

// DefaultSeed makes rapid deterministic when no seed was asked for: call
// it from TestMain. An explicit -rapid.seed=N or RAPID_SEED=N still wins,
// so new cases can be explored with any non-zero seed.
func DefaultSeed() {
	if !flag.Parsed() {
		flag.Parse()
	}
	if f := flag.Lookup("rapid.seed"); f != nil && f.Value.String() == "0" {
		flag.Set("rapid.seed", "20261125")
	}
}

// Entropy returns an entropy source whose values rapid draws, so that a
// failing case shrinks to the fewest, simplest random values.
func Entropy(t *rapid.T) *DrawnEntropy { return &DrawnEntropy{t} }

// DrawnEntropy is an entropy source drawing from rapid.
type DrawnEntropy struct{ t *rapid.T }

// Uint64 draws a value.
func (d *DrawnEntropy) Uint64() uint64 { return rapid.Uint64().Draw(d.t, "entropy") }

// Fixed is an entropy source that returns its values in turn; it panics
// when they run out.
type Fixed []uint64

// Uint64 returns the next value.
func (f *Fixed) Uint64() uint64 {
	v := (*f)[0]
	*f = (*f)[1:]
	return v
}
