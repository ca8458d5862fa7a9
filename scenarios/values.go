package scenarios

import (
	"github.com/idsim/idsim/spec"
)

// The scalar types of the scenario format live in package spec, which
// scheme and fault kinds share; these are the loader's short names.
type (
	pos        = spec.Pos
	posError   = spec.Error
	text       = spec.Text
	integer    = spec.Int
	boolean    = spec.Bool
	fraction   = spec.Fraction
	duration   = spec.Duration
	rate       = spec.Rate
	timestamp  = spec.Time
	textList   = spec.TextList
	workerList = spec.Workers
	comparison = spec.Comparison
)

type list[T any] = spec.List[T]

var (
	posOf      = spec.PosOf
	errAt      = spec.Errorf
	unwrap     = spec.Unwrap
	scalarText = spec.ScalarText
)
