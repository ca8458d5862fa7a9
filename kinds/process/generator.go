package process

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/idsim/idsim/generators/ulid"
	"github.com/idsim/idsim/generators/uuid"
	"github.com/idsim/idsim/sim"
)

// generator is one worker's connection to its program.
type generator struct {
	s       *Scheme
	p       *proc
	clock   Clock
	node    string
	msgID   int64
	initErr error
	// From the program's init_ok: the most calls it takes in one
	// generate_batch (0: it takes only generate), and whether it says
	// it takes its time from the clock idsim sends.
	batch     int
	usesClock bool
	noted     bool // the scheme knows how this program writes IDs
}

// startupTimeout is the least time a program has to answer init:
// starting an interpreter takes longer than answering a request.
const startupTimeout = 10 * time.Second

// Clock is what a generator reads the clock it sends with each call
// from: the worker's virtual clock (*sim.Clock) in the simulator, the
// worker's skewed real clock in a live run.
type Clock interface {
	Now() int64
	Monotonic() int64
}

// init introduces the worker to the program.
func (g *generator) init(worker int, id sim.Identity) error {
	ids := make([]string, g.s.workers)
	for i := range ids {
		ids[i] = fmt.Sprintf("n%d", i)
	}
	g.msgID++
	body, err := g.p.call(g.node, map[string]any{
		"type": "init", "msg_id": g.msgID, "node_id": g.node, "node_ids": ids,
		"datacenter": id.Datacenter, "worker": worker, "node": id.Node,
	}, g.msgID, max(g.p.timeout, startupTimeout))
	if err != nil {
		return fmt.Errorf("init: %w", err)
	}
	if t, _ := body["type"].(string); t != "init_ok" {
		return g.p.fail(fmt.Errorf("init: the program answered %s, want init_ok", describeBody(body)))
	}
	switch v := body["batch"].(type) {
	case nil:
	case bool:
		if v {
			g.batch = sim.MaxBatch
		}
	case json.Number:
		n, err := strconv.ParseInt(v.String(), 10, 64)
		if err != nil || n < 0 {
			return g.p.fail(fmt.Errorf("init: init_ok's batch is %v; want true, false or the most calls a generate_batch may carry", v))
		}
		g.batch = int(min(n, sim.MaxBatch))
	default:
		return g.p.fail(fmt.Errorf("init: init_ok's batch is %s; want true, false or the most calls a generate_batch may carry", describeBody(map[string]any{"batch": v})))
	}
	switch v := body["uses_clock"].(type) {
	case nil:
	case bool:
		g.usesClock = v
	default:
		return g.p.fail(fmt.Errorf("init: init_ok's uses_clock is %s; want true or false", describeBody(map[string]any{"uses_clock": v})))
	}
	return nil
}

// TryNext128 asks the program for an ID, with the worker's clock.
func (g *generator) TryNext128() (hi, lo uint64, wait time.Duration, err error) {
	if g.initErr != nil {
		return 0, 0, 0, g.initErr
	}
	g.msgID++
	body, err := g.p.call(g.node, map[string]any{
		"type": "generate", "msg_id": g.msgID,
		"clock": map[string]int64{"unix_ns": g.clock.Now(), "mono_ns": g.clock.Monotonic()},
	}, g.msgID, g.p.timeout)
	if err != nil {
		return 0, 0, 0, err
	}
	switch t, _ := body["type"].(string); t {
	case "generate_ok":
	case "error":
		return 0, 0, 0, fmt.Errorf("the program refused (code %v): %v", body["code"], body["text"])
	default:
		return 0, 0, 0, fmt.Errorf("the program answered %s, want generate_ok or error", describeBody(body))
	}
	v, ok := body["id"]
	if !ok || v == nil {
		return 0, 0, 0, fmt.Errorf("the program's generate_ok has no usable id (%s)", describeBody(body))
	}
	hi, lo, f, text, err := parseID(v)
	if err != nil {
		return 0, 0, 0, err
	}
	g.note(hi, lo, f, text)
	return hi, lo, 0, nil
}

// note tells the scheme how the program writes IDs, once, and keeps the
// text of an ID that has no compact form.
func (g *generator) note(hi, lo uint64, f format, text string) {
	if !g.noted {
		g.s.noteFormat(f)
		g.noted = true
	}
	if f == textFormat {
		g.s.remember(hi, lo, text)
	}
}

func describeBody(b map[string]any) string {
	out, _ := json.Marshal(b)
	return clip(out)
}

// format is how a program wrote its IDs.
type format int

const (
	unknownFormat format = iota
	numberFormat
	hexFormat
	uuidFormat
	ulidFormat
	textFormat
)

func (f format) String() string {
	return [...]string{"nothing yet", "a number", "0x hex", "a UUID", "a ULID", "text"}[f]
}

// text renders a 128-bit ID in the format.
func (f format) text(hi, lo uint64) string {
	switch f {
	case hexFormat:
		if hi == 0 {
			return "0x" + strconv.FormatUint(lo, 16)
		}
		return fmt.Sprintf("0x%x%016x", hi, lo)
	case uuidFormat:
		return uuid.FromHiLo(hi, lo).String()
	case ulidFormat:
		return ulid.FromHiLo(hi, lo).String()
	}
	if hi == 0 {
		return strconv.FormatUint(lo, 10)
	}
	return new(big.Int).Or(new(big.Int).Lsh(new(big.Int).SetUint64(hi), 64), new(big.Int).SetUint64(lo)).String()
}

var max128 = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))

// parseID reads an id as the protocol allows it: a JSON number, a string
// holding a decimal, 0x hex, a UUID or a ULID, or any other JSON value,
// compared by its canonical text (kept as a 128-bit digest).
func parseID(v any) (hi, lo uint64, f format, text string, err error) {
	if n, ok := v.(json.Number); ok {
		if lo, ok := smallDecimal(n.String()); ok {
			return 0, lo, numberFormat, "", nil
		}
		if b, ok := new(big.Int).SetString(n.String(), 10); ok && b.Sign() >= 0 && b.Cmp(max128) <= 0 {
			hi, lo = split(b)
			return hi, lo, numberFormat, "", nil
		}
		return digest(n.String())
	}
	if s, ok := v.(string); ok {
		switch {
		case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
			if b, ok := new(big.Int).SetString(s[2:], 16); ok && b.Sign() >= 0 && b.Cmp(max128) <= 0 {
				hi, lo = split(b)
				return hi, lo, hexFormat, "", nil
			}
		case len(s) == 36:
			if u, err := uuid.Parse(s); err == nil {
				hi, lo = u.HiLo()
				return hi, lo, uuidFormat, "", nil
			}
		case len(s) == 26:
			if u, err := ulid.Parse(s); err == nil {
				hi, lo = u.HiLo()
				return hi, lo, ulidFormat, "", nil
			}
		default:
			if b, ok := new(big.Int).SetString(s, 10); ok && b.Sign() >= 0 && b.Cmp(max128) <= 0 && s == b.String() {
				hi, lo = split(b)
				return hi, lo, numberFormat, "", nil
			}
		}
		// Compared as a JSON string, so that it never equals an object
		// written the same way; shown as written.
		b, _ := json.Marshal(s)
		hi, lo, f, _, err = digest(string(b))
		return hi, lo, f, s, err
	}
	// Any other JSON value: its canonical text (encoding/json sorts
	// object keys).
	b, err := json.Marshal(v)
	if err != nil {
		return 0, 0, 0, "", fmt.Errorf("an id idsim cannot read: %v", err)
	}
	return digest(string(b))
}

// smallDecimal reads a decimal of at most 19 digits, without a sign or
// leading zeros, as the quick path of parseID.
func smallDecimal[T ~string | ~[]byte](s T) (uint64, bool) {
	if len(s) == 0 || len(s) > 19 || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}

func split(b *big.Int) (hi, lo uint64) {
	lo = new(big.Int).And(b, new(big.Int).SetUint64(^uint64(0))).Uint64()
	hi = new(big.Int).Rsh(b, 64).Uint64()
	return hi, lo
}

// digest keeps a text ID as the first 128 bits of its SHA-256.
func digest(text string) (hi, lo uint64, f format, t string, err error) {
	sum := sha256.Sum256([]byte(text))
	return binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:16]), textFormat, text, nil
}
