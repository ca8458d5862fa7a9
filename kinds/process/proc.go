package process

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxLine caps one line from a program: a program that writes without
// ending its lines cannot make idsim hold more than this.
const maxLine = 1 << 20

// proc is one running program.
type proc struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	lines   chan line
	stderr  *tail
	timeout time.Duration

	mu   sync.Mutex // one request and its reply at a time
	dead error      // why the program can no longer be used
	done chan struct{}
	once sync.Once
}

type line struct {
	b   []byte
	err error
}

// start runs the program with its stdin and stdout as pipes, in the
// environment environ (whole: nothing is inherited besides it).
func start(command, environ []string, dir string, timeout time.Duration) (*proc, error) {
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Dir = dir
	cmd.Env = environ
	p := &proc{cmd: cmd, lines: make(chan line, 1), stderr: &tail{max: 2048}, timeout: timeout, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", strings.Join(command, " "), err)
	}
	p.stdin = in
	go p.read(out)
	return p, nil
}

// read hands the program's lines to callers until it closes stdout.
func (p *proc) read(out io.Reader) {
	r := bufio.NewReaderSize(out, 64<<10)
	for {
		b, err := readLine(r)
		select {
		case p.lines <- line{b, err}:
		case <-p.done:
			return
		}
		if err != nil {
			return
		}
	}
}

// readLine reads one line of at most maxLine bytes.
func readLine(r *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		part, isPrefix, err := r.ReadLine()
		if err != nil {
			return nil, err
		}
		buf = append(buf, part...)
		if len(buf) > maxLine {
			return nil, fmt.Errorf("a line longer than %d bytes", maxLine)
		}
		if !isPrefix {
			return buf, nil
		}
	}
}

// envelope is a protocol message.
type envelope struct {
	Src  string         `json:"src"`
	Dest string         `json:"dest"`
	Body map[string]any `json:"body"`
}

// call sends body to the program as node and waits for the reply to
// msgID.
func (p *proc) call(node string, body map[string]any, msgID int64, timeout time.Duration) (map[string]any, error) {
	msg, err := json.Marshal(envelope{Src: "c0", Dest: node, Body: body})
	if err != nil {
		return nil, err
	}
	b, err := p.exchange(append(msg, '\n'), msgID, timeout)
	if err != nil {
		return nil, err
	}
	var env envelope
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&env); err != nil || env.Body == nil {
		return nil, p.garbage(b)
	}
	if err := p.checkReply(env.Body["in_reply_to"], msgID, b); err != nil {
		return nil, err
	}
	return env.Body, nil
}

// exchange writes msg (one line) and returns the next line the program
// writes, waiting at most timeout for it.
func (p *proc) exchange(msg []byte, msgID int64, timeout time.Duration) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dead != nil {
		return nil, p.dead
	}
	if _, err := p.stdin.Write(msg); err != nil {
		return nil, p.fail(fmt.Errorf("writing to the program: %w", err))
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case l := <-p.lines:
		if l.err != nil {
			if errors.Is(l.err, io.EOF) {
				return nil, p.fail(p.exitError("the program closed its output"))
			}
			return nil, p.fail(fmt.Errorf("reading from the program: %w%s", l.err, p.stderr.suffix()))
		}
		return l.b, nil
	case <-timer.C:
		return nil, p.fail(fmt.Errorf("no reply to msg_id %d within %v%s", msgID, timeout, p.stderr.suffix()))
	}
}

// garbage marks the program unusable for writing line b, which is no
// protocol message.
func (p *proc) garbage(b []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fail(fmt.Errorf("the program wrote a line that is no protocol message: %q%s", clip(b), p.stderr.suffix()))
}

// checkReply makes sure a reply's in_reply_to (a json.Number, as
// decoded) names msgID.
func (p *proc) checkReply(inReplyTo any, msgID int64, b []byte) error {
	if got, ok := inReplyTo.(json.Number); ok && got.String() == strconv.FormatInt(msgID, 10) {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fail(fmt.Errorf("the program replied to msg_id %v while msg_id %d was waiting: %q%s", inReplyTo, msgID, clip(b), p.stderr.suffix()))
}

// fail marks the program unusable, stops it, and returns err.
func (p *proc) fail(err error) error {
	p.dead = err
	p.stop()
	return err
}

// exitError says how the program ended.
func (p *proc) exitError(what string) error {
	p.stop()
	return fmt.Errorf("%s (%v)%s", what, p.cmd.ProcessState, p.stderr.suffix())
}

// stop kills the program and waits for it.
func (p *proc) stop() {
	p.once.Do(func() {
		close(p.done)
		p.stdin.Close()
		if p.cmd.Process != nil {
			p.cmd.Process.Kill()
		}
		p.cmd.Wait()
	})
}

// kill stops the program (a restart, or the end of the run).
func (p *proc) kill() {
	p.mu.Lock()
	if p.dead == nil {
		p.dead = errors.New("the program was stopped")
	}
	p.mu.Unlock()
	p.stop()
}

func clip(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

// tail keeps the last max bytes written to it: the program's stderr.
type tail struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append([]byte(nil), t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

// suffix renders the tail for an error message, or nothing.
func (t *tail) suffix() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.TrimSpace(string(t.b))
	if s == "" {
		return ""
	}
	return "; its stderr ends: " + s
}
