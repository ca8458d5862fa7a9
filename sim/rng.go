package sim

import (
	"math/rand/v2"
)

// Stream returns the random stream for one purpose and index under seed.
//
// Streams are derived, not drawn from a shared generator: the stream for
// ("arrivals", 7) is the same whether the scenario has 8 workers or 800,
// and adding a fault does not reshuffle the arrivals of any worker. The
// generator is PCG-DXSM from math/rand/v2, which is specified bit for bit,
// so the same seed gives the same stream on every machine.
func Stream(seed uint64, purpose string, index uint64) *rand.PCG {
	h := fnv1a(purpose)
	return rand.NewPCG(mix(seed^mix(h)), mix(index^mix(h^seed^0x9e3779b97f4a7c15)))
}

// fnv1a hashes s with 64-bit FNV-1a.
func fnv1a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// mix is the SplitMix64 finalizer: a bijection that scatters nearby inputs.
func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
