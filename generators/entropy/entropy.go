// Package entropy is the source of random bits that ID generators are
// handed instead of reading global randomness.
//
// Under the simulator a generator gets a seeded stream, so a run can be
// replayed; in production it gets Secure, a cryptographically strong
// generator seeded from the operating system.
package entropy

import (
	crand "crypto/rand"
	"math/rand/v2"
)

// Source is a stream of uniformly random 64-bit values. Every
// math/rand/v2 Source (PCG, ChaCha8) satisfies it. A Source is used by
// one goroutine at a time.
type Source interface {
	Uint64() uint64
}

// Secure returns a cryptographically strong source: ChaCha8 (from
// math/rand/v2) seeded with 32 bytes from crypto/rand. It is not safe for
// concurrent use; give each generator its own.
func Secure() Source {
	var seed [32]byte
	crand.Read(seed[:]) // crypto/rand.Read never fails on supported platforms
	return rand.NewChaCha8(seed)
}
