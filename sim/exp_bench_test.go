package sim

import (
	"math/rand/v2"
	"testing"
)

var sink uint64

func BenchmarkExpQ32(b *testing.B) {
	r := rand.NewPCG(1, 2)
	var s uint64
	for i := 0; i < b.N; i++ {
		s += expQ32(r.Uint64())
	}
	sink = s
}

func BenchmarkPCG(b *testing.B) {
	r := rand.NewPCG(1, 2)
	var s uint64
	for i := 0; i < b.N; i++ {
		s += r.Uint64()
	}
	sink = s
}

func BenchmarkSourceAdvance(b *testing.B) {
	s, _ := newSource(Load{Rate: PerSecond(20000), Pattern: Poisson}, 0, 1<<62, Stream(1, "x", 0))
	for i := 0; i < b.N; i++ {
		s.step()
	}
}
