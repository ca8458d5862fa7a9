package record

import (
	"encoding/binary"
	"math/bits"
)

// Sealed blocks store the differences of their IDs with an
// exponential-Golomb code of an order k chosen per block: a value v is
// written as the Elias gamma code of (v>>k)+1 followed by v's k low
// bits. Order 0 spends one bit on the difference 1 that a busy Snowflake
// worker issues 99 times in 100; an order near log2 of the typical
// difference spends about two bits more than the difference's length on
// anything else. (The code would take a few microseconds of exponential
// gaps in about 15 bits, but decodes at a third of the speed of the
// fixed-width groups the true times use.) (The
// code: Teuhola, "A compression method for clustered bit-vectors", 1978;
// see also H.264's ue(v), which is order 0.)
//
// Bits are written least significant first.

// bitWriter appends bits to a byte slice.
type bitWriter struct {
	buf []byte
	acc uint64
	n   uint
}

// write appends the n ≤ 56 low bits of v.
func (w *bitWriter) write(v uint64, n uint) {
	w.acc |= v << w.n
	w.n += n
	for w.n >= 8 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc >>= 8
		w.n -= 8
	}
}

// writeWide appends the n ≤ 64 low bits of v.
func (w *bitWriter) writeWide(v uint64, n uint) {
	if n > 32 {
		w.write(v&(1<<32-1), 32)
		v, n = v>>32, n-32
	}
	w.write(v&(1<<n-1), n)
}

// zeros appends n zero bits.
func (w *bitWriter) zeros(n uint) {
	for n > 56 {
		w.write(0, 56)
		n -= 56
	}
	w.write(0, n)
}

// eg appends v in the exponential-Golomb code of order k. k must be at
// least 1 when v may be 2^64-1.
func (w *bitWriter) eg(v uint64, k uint) {
	x := v>>k + 1
	l := uint(bits.Len64(x))
	if n := 2*l - 1 + k; n <= 56 {
		// The common case, in one write: l-1 zeros, a one, x below its
		// top bit, v's k low bits.
		code := 1<<(l-1) | (x&(1<<(l-1)-1))<<l | (v&(1<<k-1))<<(2*l-1)
		w.put(code, n)
		return
	}
	w.zeros(l - 1)
	w.write(1, 1)
	w.writeWide(x, l-1) // x's top bit is implied
	if k > 0 {
		w.writeWide(v, k)
	}
}

// put appends the n ≤ 56 low bits of v (and no others), emitting whole
// bytes with one store.
func (w *bitWriter) put(v uint64, n uint) {
	w.acc |= v << w.n
	w.n += n
	k := len(w.buf)
	w.buf = binary.LittleEndian.AppendUint64(w.buf, w.acc)
	full := w.n >> 3
	w.buf = w.buf[:k+int(full)]
	w.acc >>= 8 * full
	w.n &= 7
}

// bitsNow returns how many bits have been written.
func (w *bitWriter) bitsNow() uint32 { return uint32(8*len(w.buf)) + uint32(w.n) }

// flush pads the last byte with zeros and appends 8 zero bytes, so a
// reader may always load a whole word.
func (w *bitWriter) flush() {
	if w.n > 0 {
		w.buf = append(w.buf, byte(w.acc))
	}
	w.acc, w.n = 0, 0
	w.buf = append(w.buf, 0, 0, 0, 0, 0, 0, 0, 0)
}

// bestOrder returns the order that codes the values of a column, given
// as a histogram of their bit lengths, in the fewest bits. A value of
// bit length L costs about k+1 bits if L ≤ k and 2(L-k)+k+1 otherwise;
// the estimate is close enough to choose by.
func bestOrder(hist *[65]uint32) uint {
	top := 0 // the longest length present
	for l := 64; l > 0; l-- {
		if hist[l] > 0 {
			top = l
			break
		}
	}
	best, bestCost := uint(0), uint64(1<<63)
	lo := uint(0)
	if hist[64] > 0 {
		lo = 1 // (v>>0)+1 must not overflow
	}
	// An order above the longest length only adds a bit to every code.
	for k := lo; k <= max(lo, uint(top)); k++ {
		var cost uint64
		for l, c := range hist[:top+1] {
			if c == 0 {
				continue
			}
			per := uint64(k + 1)
			if uint(l) > k {
				per += 2 * uint64(uint(l)-k)
			}
			cost += per * uint64(c)
		}
		if cost < bestCost {
			best, bestCost = k, cost
		}
	}
	return best
}

// bitReader reads bits written by a bitWriter from a flushed buffer.
type bitReader struct {
	p   []byte
	pos uint // in bits
}

// peek returns the next 57 or more bits in the low bits of a word.
func (r *bitReader) peek() uint64 {
	return binary.LittleEndian.Uint64(r.p[r.pos>>3:]) >> (r.pos & 7)
}

// read returns the next n ≤ 56 bits.
func (r *bitReader) read(n uint) uint64 {
	v := r.peek() & (1<<n - 1)
	r.pos += n
	return v
}

// readWide returns the next n ≤ 64 bits.
func (r *bitReader) readWide(n uint) uint64 {
	if n > 32 {
		lo := r.read(32)
		return lo | r.read(n-32)<<32
	}
	return r.read(n)
}

// eg reads a value in the exponential-Golomb code of order k.
func (r *bitReader) eg(k uint) uint64 {
	w := r.peek()
	z := uint(bits.TrailingZeros64(w))
	if z <= 27 && 2*z+1+k <= 56 {
		// The common case: one word holds the whole code.
		x := (w>>(z+1)&(1<<z-1) | 1<<z) - 1
		v := x<<k | w>>(2*z+1)&(1<<k-1)
		r.pos += 2*z + 1 + k
		return v
	}
	z = 0
	for {
		w = r.peek()
		if w&1 != 0 {
			break
		}
		t := min(uint(bits.TrailingZeros64(w)), 56)
		z += t
		r.pos += t
	}
	r.pos++ // the 1
	x := (r.readWide(z) | 1<<z) - 1
	if k == 0 {
		return x
	}
	return x<<k | r.readWide(k)
}

// egDecode fills dst with the codes of order k read from p at bit pos and
// returns the bit position after them. It is the bulk form of
// bitReader.eg: a run of ones in order 0 (a run of zero values) is taken
// a word at a time.
func egDecode(dst []uint64, p []byte, pos, k uint) uint {
	for i := 0; i < len(dst); {
		w := binary.LittleEndian.Uint64(p[pos>>3:]) >> (pos & 7)
		if k == 0 {
			if ones := uint(bits.TrailingZeros64(^w)); ones > 1 {
				ones = min(ones, uint(len(dst)-i))
				clear(dst[i : i+int(ones)])
				i += int(ones)
				pos += ones
				continue
			}
		}
		z := uint(bits.TrailingZeros64(w))
		if z <= 27 && 2*z+1+k <= 56 {
			x := (w>>(z+1)&(1<<z-1) | 1<<z) - 1
			dst[i] = x<<k | w>>(2*z+1)&(1<<k-1)
			pos += 2*z + 1 + k
			i++
			continue
		}
		r := bitReader{p: p, pos: pos}
		dst[i] = r.eg(k)
		pos = r.pos
		i++
	}
	return pos
}
