package sim

import (
	"math/big"
	"math/bits"
)

// Exponential variates in fixed point, computed with integer arithmetic
// only. Floating-point logarithms may differ in the last bit between
// architectures (Go uses an assembly Log on amd64 and may fuse
// multiply-adds on arm64), and one such bit would change a Poisson arrival
// time and with it every result after. Integers do not.

const (
	lnTableBits = 10
	lnTableSize = 1 << lnTableBits
)

// lnTable[i] is ln(1 + i/1024) in Q32 fixed point, for i in 0..1024.
// Building it takes a few milliseconds at start-up.
var lnTable = func() (t [lnTableSize + 1]uint64) {
	for i := range t {
		t[i] = lnQ32(i)
	}
	return t
}()

// lnQ32 computes ln(1 + i/1024) * 2^32, rounded, from the series
// ln(y) = 2 atanh((y-1)/(y+1)) = 2 * sum z^(2k+1)/(2k+1), evaluated in
// 2^-100 fixed point with math/big.
func lnQ32(i int) uint64 {
	const fracBits = 100
	one := new(big.Int).Lsh(big.NewInt(1), fracBits)
	z := new(big.Int).Mul(big.NewInt(int64(i)), one)
	z.Quo(z, big.NewInt(int64(2*lnTableSize+i))) // z = i / (2048 + i)
	z2 := new(big.Int).Mul(z, z)
	z2.Rsh(z2, fracBits)
	sum := new(big.Int)
	term := new(big.Int).Set(z)
	q := new(big.Int)
	for k := int64(0); term.Sign() > 0; k++ {
		sum.Add(sum, q.Quo(term, big.NewInt(2*k+1)))
		term.Mul(term, z2)
		term.Rsh(term, fracBits)
	}
	sum.Lsh(sum, 1)
	// Round from 2^-100 to 2^-32.
	sum.Add(sum, new(big.Int).Lsh(big.NewInt(1), fracBits-32-1))
	sum.Rsh(sum, fracBits-32)
	return sum.Uint64()
}

// expQ32 maps 64 uniform random bits to an Exp(1) variate, -ln(U), in Q32
// fixed point. U = u/2^64 is split as 2^-(k+1) * x with x in [1, 2), so
// -ln(U) = (k+1) ln 2 - ln x, and ln x comes from the table with linear
// interpolation (relative error below 1e-7).
func expQ32(u uint64) uint64 {
	u |= 1 // U > 0; the lowest bit is below the table's resolution anyway
	k := bits.LeadingZeros64(u)
	m := u << k // top bit set: m / 2^63 = x in [1, 2)
	idx := m >> (63 - lnTableBits) & (lnTableSize - 1)
	frac := m >> (63 - lnTableBits - 32) & (1<<32 - 1)
	lo, hi := lnTable[idx], lnTable[idx+1]
	lnx := lo + (hi-lo)*frac>>32
	return uint64(k+1)*lnTable[lnTableSize] - lnx
}
