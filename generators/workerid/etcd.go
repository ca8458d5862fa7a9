package workerid

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pingcap/failpoint"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/idsim/idsim/generators/clock"
)

// Failpoints in the etcd allocator. Each is evaluated with
// failpoint.Call, never on the per-ID path: a test (or `idsim live`)
// enables one with failpoint.EnableCall and a function that decides,
// with its own seeded randomness, whether it fires:
//
//	failpoint.EnableCall(workerid.FailDropRenewal, func(owner string, drop *bool) { *drop = rng.IntN(10) == 0 })
const (
	// FailDropRenewal is called before each lease renewal as
	// fn(owner string, drop *bool); setting *drop skips the renewal.
	FailDropRenewal = "github.com/idsim/idsim/generators/workerid/dropRenewal"
	// FailDelayRenewal is called before each lease renewal as
	// fn(owner string, delay *time.Duration); the renewal is sent after
	// the delay.
	FailDelayRenewal = "github.com/idsim/idsim/generators/workerid/delayRenewal"
	// FailCrashAfterClaim is called after a successful claim as
	// fn(owner string, crash *bool); setting *crash makes Claim return
	// ErrCrashedAfterClaim without keeping the lease alive or releasing
	// it, as a process that dies right after claiming.
	FailCrashAfterClaim = "github.com/idsim/idsim/generators/workerid/crashAfterClaim"
	// FailDelayAfterClaim is called after the claiming transaction
	// succeeded, before the lease is trusted, as fn(owner string, delay
	// *time.Duration): a pause there (a GC, a slow scheduler) can outlast
	// the lease.
	FailDelayAfterClaim = "github.com/idsim/idsim/generators/workerid/delayAfterClaim"
)

var (
	// ErrNoFreeID is returned by Claim when every ID of the range is held.
	ErrNoFreeID = errors.New("workerid: no free worker ID in the range")
	// ErrLeaseLost is returned once the allocator knows its lease is
	// gone: the ID may belong to someone else, no more IDs may be issued
	// under it.
	ErrLeaseLost = errors.New("workerid: lease lost")
	// ErrLeaseInDoubt is returned when the lease could not be confirmed
	// before the fence's deadline.
	ErrLeaseInDoubt = errors.New("workerid: lease could not be confirmed in time")
	// ErrCrashedAfterClaim is returned by Claim when FailCrashAfterClaim
	// fired.
	ErrCrashedAfterClaim = errors.New("workerid: crashed after claiming (failpoint)")
)

// EtcdConfig configures an etcd-backed worker-ID allocator.
type EtcdConfig struct {
	// Client is a connected etcd client.
	Client *clientv3.Client
	// Prefix is prepended to the decimal ID to form its key; empty means
	// "/idsim/worker-ids/".
	Prefix string
	// Lo and Hi bound the IDs to claim from: [Lo, Hi).
	Lo, Hi int64
	// TTL is the lease's time to live, in whole seconds (etcd's unit);
	// zero means 10s.
	TTL time.Duration
	// Renew is how often the lease is kept alive; zero means TTL/3.
	Renew time.Duration
	// Margin is how long before the lease could expire the allocator
	// stops issuing without a confirmed renewal; zero means TTL/3. See
	// Fence.
	Margin time.Duration
	// Unfenced turns the fence off: IDs are issued until a renewal is
	// answered with "lease not found". It exists to show what fencing
	// prevents; do not ship it.
	Unfenced bool
	// Owner is stored under the key, for people reading the cluster;
	// empty means "pid <pid>".
	Owner string
	// Clock supplies monotonic time for the fence; nil means
	// clock.System.
	Clock clock.Clock
}

// Lease is a claimed worker ID, kept alive in the background.
type Lease struct {
	cfg       EtcdConfig
	id        int64
	key       string
	lease     clientv3.LeaseID
	createRev int64

	mu       sync.Mutex // guards fence
	fence    Fence
	deadline atomic.Int64 // the fence's deadline, published for Allows
	lost     atomic.Bool

	stop chan struct{}
	done chan struct{}
}

func (c *EtcdConfig) defaults() error {
	if c.Client == nil {
		return errors.New("workerid: EtcdConfig.Client is nil")
	}
	if c.Prefix == "" {
		c.Prefix = "/idsim/worker-ids/"
	}
	if c.Hi <= c.Lo {
		return fmt.Errorf("workerid: empty ID range [%d, %d)", c.Lo, c.Hi)
	}
	if c.TTL == 0 {
		c.TTL = 10 * time.Second
	}
	if c.TTL < time.Second || c.TTL%time.Second != 0 {
		return fmt.Errorf("workerid: TTL %v: etcd leases last whole seconds, at least 1s", c.TTL)
	}
	if c.Renew == 0 {
		c.Renew = c.TTL / 3
	}
	if c.Margin == 0 {
		c.Margin = c.TTL / 3
	}
	if c.Renew <= 0 || c.Margin < 0 || c.Renew+c.Margin >= c.TTL {
		return fmt.Errorf("workerid: renew %v plus margin %v must be shorter than the TTL %v", c.Renew, c.Margin, c.TTL)
	}
	if c.Owner == "" {
		c.Owner = "pid " + strconv.Itoa(os.Getpid())
	}
	if c.Clock == nil {
		c.Clock = clock.System{}
	}
	return nil
}

// Claim takes the lowest free ID of the range: it grants a lease, reads
// which IDs are taken, and creates the lowest free one's key under the
// lease only if the key does not exist (a create-if-absent transaction),
// moving on to the next free one when another claimant got there first.
// A claim slow enough to doubt the lease renews it before returning. The
// lease is then renewed every cfg.Renew until Close.
func Claim(ctx context.Context, cfg EtcdConfig) (*Lease, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		l, err := claimOnce(ctx, cfg)
		if !errors.Is(err, errLeaseExpiredWhileClaiming) || attempt == 2 {
			return l, err
		}
	}
}

var errLeaseExpiredWhileClaiming = errors.New("workerid: the lease expired while claiming")

func claimOnce(ctx context.Context, cfg EtcdConfig) (*Lease, error) {
	sent := cfg.Clock.Monotonic()
	g, err := cfg.Client.Grant(ctx, int64(cfg.TTL/time.Second))
	if err != nil {
		return nil, fmt.Errorf("workerid: granting a lease: %w", err)
	}
	l := &Lease{cfg: cfg, lease: g.ID, id: -1, stop: make(chan struct{}), done: make(chan struct{})}
	l.fence = Fence{TTL: cfg.TTL, Margin: cfg.Margin}
	giveUp := func(err error) (*Lease, error) {
		cfg.Client.Revoke(context.WithoutCancel(ctx), g.ID)
		if errors.Is(err, rpctypes.ErrLeaseNotFound) {
			return nil, errLeaseExpiredWhileClaiming
		}
		return nil, err
	}
	// A claim that meets many rivals takes many transactions: renew the
	// lease as it goes, so it cannot run out (and take the key with it)
	// before the keep-alive starts.
	renewIfSlow := func() error {
		if cfg.Clock.Monotonic()-sent <= int64(cfg.TTL/3) {
			return nil
		}
		again := cfg.Clock.Monotonic()
		if _, err := cfg.Client.KeepAliveOnce(ctx, g.ID); err != nil {
			return fmt.Errorf("workerid: renewing during a slow claim: %w", err)
		}
		sent = again
		return nil
	}
	for l.id < 0 {
		taken, err := cfg.Client.Get(ctx, cfg.Prefix, clientv3.WithPrefix(), clientv3.WithKeysOnly())
		if err != nil {
			return giveUp(fmt.Errorf("workerid: reading %s: %w", cfg.Prefix, err))
		}
		held := map[int64]bool{}
		for _, kv := range taken.Kvs {
			if n, err := strconv.ParseInt(strings.TrimPrefix(string(kv.Key), cfg.Prefix), 10, 64); err == nil {
				held[n] = true
			}
		}
		free := false
		for id := cfg.Lo; id < cfg.Hi && l.id < 0; id++ {
			if held[id] {
				continue
			}
			free = true
			if err := renewIfSlow(); err != nil {
				return giveUp(err)
			}
			key := cfg.Prefix + strconv.FormatInt(id, 10)
			resp, err := cfg.Client.Txn(ctx).
				If(clientv3.Compare(clientv3.CreateRevision(key), "=", 0)).
				Then(clientv3.OpPut(key, cfg.Owner, clientv3.WithLease(g.ID))).
				Commit()
			if err != nil {
				return giveUp(fmt.Errorf("workerid: claiming %s: %w", key, err))
			}
			if resp.Succeeded {
				l.id, l.key, l.createRev = id, key, resp.Header.Revision
			}
		}
		if !free {
			return giveUp(ErrNoFreeID)
		}
	}
	var delay time.Duration
	failpoint.Call(FailDelayAfterClaim, cfg.Owner, &delay)
	time.Sleep(delay)
	if err := renewIfSlow(); err != nil {
		return giveUp(err)
	}
	l.confirm(sent)
	crash := false
	failpoint.Call(FailCrashAfterClaim, cfg.Owner, &crash)
	if crash {
		close(l.done)
		return nil, ErrCrashedAfterClaim
	}
	go l.keepAlive()
	return l, nil
}

// ID returns the claimed worker ID.
func (l *Lease) ID() int64 { return l.id }

// Key returns the etcd key that holds the ID.
func (l *Lease) Key() string { return l.key }

// confirm extends the fence after a renewal sent at monotonic time sent
// was acknowledged.
func (l *Lease) confirm(sent int64) {
	l.mu.Lock()
	l.fence.Confirmed(sent)
	d, _ := l.fence.Deadline()
	l.mu.Unlock()
	l.deadline.Store(d)
}

func (l *Lease) markLost() {
	l.lost.Store(true)
	l.mu.Lock()
	l.fence.Lost()
	l.mu.Unlock()
}

// Allows reports, without a network call, whether IDs may be issued
// now: the lease is not known to be lost and, unless unfenced, a renewal
// was confirmed recently enough (see Fence). It is cheap enough for
// every ID: an atomic load and a clock read.
func (l *Lease) Allows() bool {
	if l.lost.Load() {
		return false
	}
	return l.cfg.Unfenced || l.cfg.Clock.Monotonic() < l.deadline.Load()
}

// Verify settles a doubt: it renews the lease and checks that the key
// is still the one this lease created, at the same revision. On success
// the fence is extended; if the lease or key is gone the Lease is lost
// for good.
func (l *Lease) Verify(ctx context.Context) error {
	if l.lost.Load() {
		return ErrLeaseLost
	}
	sent := l.cfg.Clock.Monotonic()
	if _, err := l.cfg.Client.KeepAliveOnce(ctx, l.lease); err != nil {
		if errors.Is(err, rpctypes.ErrLeaseNotFound) {
			l.markLost()
			return ErrLeaseLost
		}
		return fmt.Errorf("%w: %v", ErrLeaseInDoubt, err)
	}
	resp, err := l.cfg.Client.Txn(ctx).
		If(clientv3.Compare(clientv3.CreateRevision(l.key), "=", l.createRev),
			clientv3.Compare(clientv3.LeaseValue(l.key), "=", l.lease)).
		Commit()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrLeaseInDoubt, err)
	}
	if !resp.Succeeded {
		l.markLost()
		return ErrLeaseLost
	}
	l.confirm(sent)
	return nil
}

// Check returns nil if IDs may be issued now, verifying the lease with
// etcd first if the fence is in doubt. It returns ErrLeaseLost or
// ErrLeaseInDoubt otherwise.
func (l *Lease) Check(ctx context.Context) error {
	if l.Allows() {
		return nil
	}
	if l.lost.Load() {
		return ErrLeaseLost
	}
	return l.Verify(ctx)
}

// Lost reports whether the lease is known to be gone.
func (l *Lease) Lost() bool { return l.lost.Load() }

// keepAlive renews the lease every Renew until Close or loss.
func (l *Lease) keepAlive() {
	defer close(l.done)
	t := time.NewTicker(l.cfg.Renew)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		drop := false
		failpoint.Call(FailDropRenewal, l.cfg.Owner, &drop)
		if drop {
			continue
		}
		var delay time.Duration
		failpoint.Call(FailDelayRenewal, l.cfg.Owner, &delay)
		if delay > 0 {
			select {
			case <-l.stop:
				return
			case <-time.After(delay):
			}
		}
		sent := l.cfg.Clock.Monotonic()
		ctx, cancel := context.WithTimeout(context.Background(), l.cfg.Renew)
		_, err := l.cfg.Client.KeepAliveOnce(ctx, l.lease)
		cancel()
		switch {
		case err == nil:
			l.confirm(sent)
		case errors.Is(err, rpctypes.ErrLeaseNotFound):
			l.markLost()
			return
		}
		// Other errors leave the fence to run out.
	}
}

// Close stops renewing and, if release is set, revokes the lease so the
// ID is free at once. A process that crashes releases nothing: its ID
// stays taken until the lease expires.
func (l *Lease) Close(ctx context.Context, release bool) error {
	select {
	case <-l.stop:
	default:
		close(l.stop)
	}
	<-l.done
	if release && !l.lost.Load() {
		l.markLost()
		if _, err := l.cfg.Client.Revoke(ctx, l.lease); err != nil && !errors.Is(err, rpctypes.ErrLeaseNotFound) {
			return err
		}
	}
	l.markLost()
	return nil
}
