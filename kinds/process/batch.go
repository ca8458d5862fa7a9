package process

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/idsim/idsim/sim"
)

// The batched form of the protocol, used only with a program whose
// init_ok carries "batch": true (or the most calls it takes at once):
//
//	{"type": "generate_batch", "msg_id": 7, "count": 3,
//	 "unix_ns": [t1, t2, t3], "mono_ns": [m1, m2, m3]}
//
// asks for count IDs, the i-th as a generate with the clock
// {"unix_ns": unix_ns[i], "mono_ns": mono_ns[i]} would, in order. The
// answer is
//
//	{"type": "generate_batch_ok", "in_reply_to": 7, "ids": [id1, null, id3],
//	 "errors": [{"index": 1, "code": 11, "text": "clock moved backwards"}]}
//
// with one entry in ids per call (each written as a generate_ok's id
// may be) and, for each refused call, its index in errors and null in
// ids. An error body for the whole batch refuses every call in it.

// batchGenerator is a generator whose program takes generate_batch.
type batchGenerator struct {
	*generator
	buf []byte
}

var _ sim.BatchGenerator = (*batchGenerator)(nil)

// TryBatch asks the program for an ID per call, as few messages as its
// batch limit allows.
func (g *batchGenerator) TryBatch(calls []sim.ClockReading, out []sim.BatchResult) {
	for len(calls) > 0 {
		n := min(len(calls), g.batch)
		g.exchange(calls[:n], out[:n])
		calls, out = calls[n:], out[n:]
	}
}

// batchReply is the part of a reply to generate_batch that idsim reads.
type batchReply struct {
	Body struct {
		Type      string            `json:"type"`
		InReplyTo any               `json:"in_reply_to"`
		IDs       []json.RawMessage `json:"ids"`
		Errors    []struct {
			Index *int `json:"index"`
			Code  any  `json:"code"`
			Text  any  `json:"text"`
		} `json:"errors"`
		Code any `json:"code"`
		Text any `json:"text"`
	} `json:"body"`
}

// exchange sends one generate_batch and reads its answer into out.
func (g *batchGenerator) exchange(calls []sim.ClockReading, out []sim.BatchResult) {
	fail := func(err error) {
		for i := range out {
			out[i] = sim.BatchResult{Err: err}
		}
	}
	if g.initErr != nil {
		fail(g.initErr)
		return
	}
	g.msgID++
	b := append(g.buf[:0], `{"src":"c0","dest":"`...)
	b = append(b, g.node...)
	b = append(b, `","body":{"type":"generate_batch","msg_id":`...)
	b = strconv.AppendInt(b, g.msgID, 10)
	b = append(b, `,"count":`...)
	b = strconv.AppendInt(b, int64(len(calls)), 10)
	b = append(b, `,"unix_ns":[`...)
	for i, c := range calls {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, c.Unix, 10)
	}
	b = append(b, `],"mono_ns":[`...)
	for i, c := range calls {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, c.Mono, 10)
	}
	b = append(b, "]}}\n"...)
	g.buf = b
	line, err := g.p.exchange(b, g.msgID, g.p.timeout)
	if err != nil {
		fail(err)
		return
	}
	var r batchReply
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&r); err != nil || r.Body.Type == "" {
		fail(g.p.garbage(line))
		return
	}
	if err := g.p.checkReply(r.Body.InReplyTo, g.msgID, line); err != nil {
		fail(err)
		return
	}
	switch r.Body.Type {
	case "generate_batch_ok":
	case "error":
		fail(fmt.Errorf("the program refused (code %v): %v", r.Body.Code, r.Body.Text))
		return
	default:
		fail(g.protocol(fmt.Errorf("the program answered %s to generate_batch, want generate_batch_ok or error", clip(line))))
		return
	}
	if len(r.Body.IDs) != len(calls) {
		fail(g.protocol(fmt.Errorf("the program's generate_batch_ok has %d ids for %d calls: %s", len(r.Body.IDs), len(calls), clip(line))))
		return
	}
	for i := range out {
		out[i] = sim.BatchResult{}
	}
	var refused []bool
	for _, e := range r.Body.Errors {
		if e.Index == nil || *e.Index < 0 || *e.Index >= len(calls) {
			fail(g.protocol(fmt.Errorf("the program's generate_batch_ok has an error without an index among its %d calls: %s", len(calls), clip(line))))
			return
		}
		if len(refused) == 0 {
			refused = make([]bool, len(calls))
		}
		refused[*e.Index] = true
		out[*e.Index].Err = fmt.Errorf("the program refused (code %v): %v", e.Code, e.Text)
	}
	for i, raw := range r.Body.IDs {
		if len(refused) > 0 && refused[i] {
			continue
		}
		hi, lo, f, text, err := readID(raw)
		if err != nil {
			out[i].Err = err
			continue
		}
		g.note(hi, lo, f, text)
		out[i].Hi, out[i].Lo = hi, lo
	}
}

// protocol marks the program unusable for breaking the batched protocol.
func (g *batchGenerator) protocol(err error) error {
	g.p.mu.Lock()
	defer g.p.mu.Unlock()
	return g.p.fail(fmt.Errorf("%w%s", err, g.p.stderr.suffix()))
}

// readID reads one entry of a generate_batch_ok's ids: quickly for a
// plain decimal, otherwise as parseID reads a generate_ok's id.
func readID(raw json.RawMessage) (hi, lo uint64, f format, text string, err error) {
	if lo, ok := smallDecimal(raw); ok {
		return 0, lo, numberFormat, "", nil
	}
	if string(raw) == "null" {
		return 0, 0, 0, "", fmt.Errorf("the program's generate_batch_ok has no usable id (null) for a call it did not refuse")
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return 0, 0, 0, "", fmt.Errorf("an id idsim cannot read: %v", err)
	}
	return parseID(v)
}
