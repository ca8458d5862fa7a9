// Package lincheck checks that a central ID allocator — auto-increment,
// range batching, ticket servers: anything that behaves as fetch-and-add
// on a counter — is linearizable, with porcupine
// (github.com/anishathalye/porcupine).
//
// The model is fetch-and-add that may skip values: an allocation of n
// that returns [lo, lo+n) is legal if lo is at or above every value
// handed out by allocations linearized before it. Skipped values (a
// rolled-back transaction, a cached sequence, a range lost in a crash)
// are gaps, which are legal; two overlapping ranges, or a range below one
// that completed before it was asked for, are not.
//
// Check first removes the gaps: values no allocation returned are cut
// out and the rest renumbered from zero, in order, which keeps overlaps
// overlapping and order in order. On the renumbered values the model is
// exact fetch-and-add (lo must equal the counter), so at every point only
// one allocation can come next and porcupine's search does not branch.
//
// porcupine's memory grows with the square of a history's length, so
// Check splits it into windows — at quiescent points, when no allocation
// is in flight, and at clean cuts in value order — and checks each window
// from the state the previous one ended in. Strict "increasing IDs" checks on one stream are done directly
// elsewhere (sim/check); this is for concurrent clients.
package lincheck

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/anishathalye/porcupine"
)

// Op is one allocation: client asked at Call for N values and was given
// [Lo, Lo+N) at Return. Times are nanoseconds on one clock.
type Op struct {
	Client       int
	Call, Return int64
	N, Lo        uint64
}

// input is an allocation's request; real is the value it returned
// before renumbering, for descriptions.
type input struct{ n, real uint64 }

// output is the renumbered start of the range returned.
type output struct{ lo uint64 }

// Model returns exact fetch-and-add on renumbered values, starting at
// next.
func Model(next uint64) porcupine.Model {
	return porcupine.Model{
		Init: func() any { return next },
		Step: func(state, in, out any) (bool, any) {
			s, i, o := state.(uint64), in.(input), out.(output)
			if o.lo != s {
				return false, s
			}
			return true, s + i.n
		},
		Hash: func(state any) uint64 { return state.(uint64) },
		DescribeOperation: func(in, out any) string {
			i := in.(input)
			return fmt.Sprintf("alloc(%d) → [%d, %d)", i.n, i.real, i.real+i.n)
		},
		DescribeState: func(state any) string { return fmt.Sprintf("%d values handed out (gaps removed)", state.(uint64)) },
	}
}

// renumber maps each op's Lo to its position among the values some op
// returned, with the values no op returned cut out.
func renumber(ops []Op) []uint64 {
	idx := make([]int, len(ops))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(ops[a].Lo, ops[b].Lo) })
	out := make([]uint64, len(ops))
	var covered, cut uint64 // covered: end of the values returned so far; cut: values removed below
	for k, i := range idx {
		op := ops[i]
		if k == 0 {
			cut, covered = op.Lo, op.Lo
		}
		if op.Lo > covered {
			cut += op.Lo - covered
		}
		out[i] = op.Lo - cut
		covered = max(covered, op.Lo+op.N)
	}
	return out
}

// Annotation marks a span of time in the visualisation of a violation,
// such as a fault in force.
type Annotation struct {
	Tag, Text  string
	Start, End int64
}

// Result is the outcome of a check.
type Result struct {
	Ops     int
	Windows int
	// Largest is the most operations in one window.
	Largest int
	// Linearizable is false when some window is not; Unknown when a
	// window's check timed out.
	Linearizable bool
	Unknown      bool
	// Window is the first window that is not linearizable, and its ops.
	Window    int
	WindowOps []Op
	all       []Op // every op, in call order
	info      porcupine.LinearizationInfo
	model     porcupine.Model
}

// Check checks a history. timeout bounds each window's search (0: none).
func Check(ops []Op, timeout time.Duration) Result {
	ops = slices.Clone(ops)
	slices.SortFunc(ops, func(a, b Op) int { return cmp.Or(cmp.Compare(a.Call, b.Call), cmp.Compare(a.Return, b.Return)) })
	res := Result{Ops: len(ops), Linearizable: true, all: ops}
	lo64 := renumber(ops)
	// Split before op i when nothing called before it is still in flight
	// (a quiescent point), or when every value handed out to the ops
	// called before it lies below every value handed out to the rest (a
	// clean cut: real-time order cannot force a later call before an
	// earlier one, so the halves linearize separately).
	n := len(ops)
	suffixMin := make([]uint64, n+1)
	suffixMin[n] = ^uint64(0)
	for i := n - 1; i >= 0; i-- {
		suffixMin[i] = min(suffixMin[i+1], lo64[i])
	}
	var next uint64
	for lo := 0; lo < n; {
		hi, end, top := lo+1, ops[lo].Return, max(next, lo64[lo]+ops[lo].N)
		for hi < n && ops[hi].Call <= end && !(top <= suffixMin[hi] && hi-lo >= 1) {
			end = max(end, ops[hi].Return)
			top = max(top, lo64[hi]+ops[hi].N)
			hi++
		}
		window := ops[lo:hi]
		res.Windows++
		res.Largest = max(res.Largest, len(window))
		history := make([]porcupine.Operation, len(window))
		for i, op := range window {
			history[i] = porcupine.Operation{ClientId: op.Client, Input: input{op.N, op.Lo}, Call: op.Call, Output: output{lo64[lo+i]}, Return: op.Return}
		}
		model := Model(next)
		verdict, info := porcupine.CheckOperationsVerbose(model, history, timeout)
		switch verdict {
		case porcupine.Illegal:
			res.Linearizable, res.Window, res.WindowOps, res.info, res.model = false, res.Windows-1, window, info, model
			return res
		case porcupine.Unknown:
			res.Unknown = true
		}
		// A linearizable window ends with the counter just past every
		// range it handed out.
		next = top
		lo = hi
	}
	return res
}

// Visualize writes porcupine's HTML view of the first window that is not
// linearizable, with the annotations (faults in force) added.
func (r Result) Visualize(w io.Writer, notes []Annotation) error {
	if r.Linearizable {
		return fmt.Errorf("lincheck: the history is linearizable; nothing to show")
	}
	var as []porcupine.Annotation
	for _, n := range notes {
		as = append(as, porcupine.Annotation{Tag: n.Tag, Start: n.Start, End: n.End, Description: n.Text, BackgroundColor: "#ffd7d7"})
	}
	info := r.info
	info.AddAnnotations(as)
	return porcupine.Visualize(r.model, info, w)
}

// Overlap explains a violation in words: two allocations whose ranges
// overlap, or one that was handed a range below a range whose allocation
// completed before it was asked for.
func (r Result) Overlap() string {
	if r.Linearizable {
		return "linearizable"
	}
	byLo := slices.Clone(r.all)
	slices.SortFunc(byLo, func(a, b Op) int { return cmp.Compare(a.Lo, b.Lo) })
	for i := 1; i < len(byLo); i++ {
		a, b := byLo[i-1], byLo[i]
		if a.Lo+a.N > b.Lo {
			return fmt.Sprintf("clients %d and %d were both given values in [%d, %d) and [%d, %d): the ranges overlap",
				a.Client, b.Client, a.Lo, a.Lo+a.N, b.Lo, b.Lo+b.N)
		}
	}
	// r.all is in call order: find, for an op of the failing window, a
	// later call with a lower value.
	for _, x := range r.WindowOps {
		k, _ := slices.BinarySearchFunc(r.all, x.Return+1, func(op Op, t int64) int { return cmp.Compare(op.Call, t) })
		for _, y := range r.all[k:] {
			if y.Lo < x.Lo {
				return fmt.Sprintf("client %d was given [%d, %d) after client %d's allocation of [%d, %d) had completed",
					y.Client, y.Lo, y.Lo+y.N, x.Client, x.Lo, x.Lo+x.N)
			}
		}
	}
	return "no linearization exists for this window"
}
