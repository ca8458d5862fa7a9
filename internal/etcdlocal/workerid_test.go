package etcdlocal_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/pingcap/failpoint"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/idsim/idsim/generators/clock"
	"github.com/idsim/idsim/generators/workerid"
	"github.com/idsim/idsim/internal/etcdlocal"
)

// These tests of package workerid run a real etcd in-process: loopback,
// a temporary directory, 10ms raft ticks. They take seconds because etcd
// leases last whole seconds. They live here, in the root module, so that
// the workerid module requires only the etcd client, not the server.

func startEtcd(t *testing.T, members int) (*etcdlocal.Cluster, *clientv3.Client) {
	t.Helper()
	c, err := etcdlocal.Start(etcdlocal.Options{Members: members, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	cli := client(t, c.Endpoints())
	return c, cli
}

func client(t *testing.T, endpoints []string) *clientv3.Client {
	t.Helper()
	cli, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestEtcd64WorkersGetDistinctIDs(t *testing.T) {
	_, cli := startEtcd(t, 1)
	var mu sync.Mutex
	held := map[int64]string{}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 64 {
		wg.Go(func() {
			owner := fmt.Sprintf("worker-%d", w)
			l, err := workerid.Claim(ctx(t), workerid.EtcdConfig{Client: cli, Lo: 0, Hi: 1024, TTL: 2 * time.Second, Owner: owner})
			if err != nil {
				errs <- err
				return
			}
			t.Cleanup(func() { l.Close(context.Background(), true) })
			mu.Lock()
			defer mu.Unlock()
			if other, dup := held[l.ID()]; dup {
				errs <- fmt.Errorf("%s and %s both got ID %d", other, owner, l.ID())
			}
			held[l.ID()] = owner
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Lowest free: exactly the IDs 0..63.
	for id := range int64(64) {
		if _, ok := held[id]; !ok {
			t.Errorf("ID %d unused: %d workers hold %v", id, len(held), held)
		}
	}
	resp, err := cli.Get(ctx(t), "/idsim/worker-ids/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil || resp.Count != 64 {
		t.Errorf("etcd holds %d keys (%v), want 64", resp.Count, err)
	}
}

// A holder whose renewals are dropped (the dropRenewal failpoint) loses
// its ID when its lease expires. Fenced, it stops issuing before the ID
// can be claimed by anyone else; unfenced, it is still issuing when a
// newcomer gets the same ID.
func TestEtcdLostRenewalFencesBeforeReassignment(t *testing.T) {
	_, cli := startEtcd(t, 1)
	for _, fenced := range []bool{true, false} {
		t.Run(fmt.Sprintf("fenced=%v", fenced), func(t *testing.T) {
			prefix := fmt.Sprintf("/fence-%v/", fenced)
			// Every renewal of "zombie" is dropped.
			if err := failpoint.EnableCall(workerid.FailDropRenewal, func(owner string, drop *bool) {
				*drop = owner == "zombie"
			}); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { failpoint.Disable(workerid.FailDropRenewal) })
			sys := clock.System{}
			zombie, err := workerid.Claim(ctx(t), workerid.EtcdConfig{Client: cli, Prefix: prefix, Lo: 0, Hi: 1, TTL: time.Second, Renew: 200 * time.Millisecond, Margin: 300 * time.Millisecond, Owner: "zombie", Unfenced: !fenced})
			if err != nil {
				t.Fatal(err)
			}
			defer zombie.Close(context.Background(), false)
			claimed := sys.Monotonic()

			// The newcomer tries for the same ID until it gets it; the
			// zombie is watched every millisecond.
			var stoppedAt int64 = -1
			var newcomer *workerid.Lease
			for newcomer == nil {
				if stoppedAt < 0 && !zombie.Allows() {
					stoppedAt = sys.Monotonic()
				}
				l, err := workerid.Claim(ctx(t), workerid.EtcdConfig{Client: cli, Prefix: prefix, Lo: 0, Hi: 1, TTL: time.Second, Renew: 200 * time.Millisecond, Margin: 300 * time.Millisecond, Owner: "newcomer"})
				switch {
				case err == nil:
					newcomer = l
				case !errors.Is(err, workerid.ErrNoFreeID):
					t.Fatal(err)
				}
				if sys.Monotonic()-claimed > int64(10*time.Second) {
					t.Fatal("the ID was never released")
				}
				time.Sleep(time.Millisecond)
			}
			defer newcomer.Close(context.Background(), true)
			gotAt := sys.Monotonic()
			stopped := "never"
			if stoppedAt >= 0 {
				stopped = time.Duration(stoppedAt - claimed).String()
			}
			t.Logf("zombie claimed at 0, stopped issuing: %s, newcomer claimed at %v", stopped, time.Duration(gotAt-claimed))
			if fenced {
				if stoppedAt < 0 || stoppedAt >= gotAt {
					t.Fatalf("fenced zombie still issuing when the newcomer claimed its ID (stopped at %d, claimed at %d)", stoppedAt, gotAt)
				}
				if err := zombie.Check(ctx(t)); !errors.Is(err, workerid.ErrLeaseLost) {
					t.Errorf("zombie's check after reassignment: %v, want ErrLeaseLost", err)
				}
			} else {
				// The danger the fence removes: two holders at once.
				if !zombie.Allows() {
					t.Fatal("unfenced zombie stopped on its own; the test shows nothing")
				}
			}
		})
	}
}

// A process that crashes right after claiming (crashAfterClaim
// failpoint) keeps its ID taken until the lease expires; others get
// other IDs meanwhile, and the ID is free again after the TTL.
func TestEtcdCrashAfterClaim(t *testing.T) {
	_, cli := startEtcd(t, 1)
	failpoint.EnableCall(workerid.FailCrashAfterClaim, func(owner string, crash *bool) { *crash = owner == "doomed" })
	defer failpoint.Disable(workerid.FailCrashAfterClaim)
	cfg := workerid.EtcdConfig{Client: cli, Lo: 0, Hi: 8, TTL: time.Second, Owner: "doomed"}
	if _, err := workerid.Claim(ctx(t), cfg); !errors.Is(err, workerid.ErrCrashedAfterClaim) {
		t.Fatalf("claim: %v", err)
	}
	cfg.Owner = "next"
	l, err := workerid.Claim(ctx(t), cfg)
	if err != nil || l.ID() != 1 {
		t.Fatalf("next claim got %v, %v; want ID 1 while 0 is held by the dead process", l, err)
	}
	defer l.Close(context.Background(), true)
	deadline := time.Now().Add(5 * time.Second)
	for {
		l2, err := workerid.Claim(ctx(t), cfg)
		if err == nil && l2.ID() == 0 {
			l2.Close(context.Background(), true)
			return
		}
		if err == nil {
			l2.Close(context.Background(), true)
		}
		if time.Now().After(deadline) {
			t.Fatal("the dead process's ID was never freed")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A renewal delayed past the TTL (delayRenewal failpoint) lets the lease
// expire: the fence stops issuing first, and the late renewal finds the
// lease gone.
func TestEtcdDelayedRenewal(t *testing.T) {
	_, cli := startEtcd(t, 1)
	failpoint.EnableCall(workerid.FailDelayRenewal, func(owner string, delay *time.Duration) { *delay = 2500 * time.Millisecond })
	defer failpoint.Disable(workerid.FailDelayRenewal)
	l, err := workerid.Claim(ctx(t), workerid.EtcdConfig{Client: cli, Lo: 0, Hi: 4, TTL: time.Second, Renew: 200 * time.Millisecond, Margin: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close(context.Background(), false)
	time.Sleep(800 * time.Millisecond)
	if l.Allows() {
		t.Fatal("fence still allows 800ms after the only confirmation (TTL 1s, margin 300ms)")
	}
	deadline := time.Now().Add(5 * time.Second)
	for !l.Lost() {
		if time.Now().After(deadline) {
			t.Fatal("the late renewal did not find the lease gone")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A three-member cluster that loses a member keeps assigning IDs and
// renewing leases.
func TestEtcdClusterSurvivesLosingAMember(t *testing.T) {
	c, _ := startEtcd(t, 3)
	eps := c.Endpoints()
	cli := client(t, eps)
	var leases []*workerid.Lease
	for range 4 {
		l, err := workerid.Claim(ctx(t), workerid.EtcdConfig{Client: cli, Lo: 0, Hi: 16, TTL: time.Second, Renew: 200 * time.Millisecond, Margin: 300 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		leases = append(leases, l)
	}
	c.Stop(0)
	for range 4 {
		l, err := workerid.Claim(ctx(t), workerid.EtcdConfig{Client: cli, Lo: 0, Hi: 16, TTL: time.Second, Renew: 200 * time.Millisecond, Margin: 300 * time.Millisecond})
		if err != nil {
			t.Fatalf("claim after losing a member: %v", err)
		}
		leases = append(leases, l)
	}
	// Two TTLs later every lease, old and new, is still renewed.
	time.Sleep(2 * time.Second)
	seen := map[int64]bool{}
	for _, l := range leases {
		if err := l.Check(ctx(t)); err != nil {
			t.Errorf("ID %d: %v", l.ID(), err)
		}
		if seen[l.ID()] {
			t.Errorf("ID %d given twice", l.ID())
		}
		seen[l.ID()] = true
		l.Close(context.Background(), true)
	}
	if len(seen) != 8 {
		t.Errorf("%d distinct IDs, want 8", len(seen))
	}
}

// Renewals dropped at random — each with probability 3/4, decided by the
// test's seeded stream, never by failpoint's own randomness — make the
// fence refuse and the lease finally expire, but whenever the fence
// allows issuing, etcd still holds the key under this lease. (Unfenced,
// this fails: the holder goes on after the key is gone.)
func TestEtcdFenceNeverAllowsWithoutTheKey(t *testing.T) {
	_, cli := startEtcd(t, 1)
	rng := rand.New(rand.NewPCG(20261125, 4))
	var mu sync.Mutex
	dropped, sent := 0, 0
	failpoint.EnableCall(workerid.FailDropRenewal, func(owner string, drop *bool) {
		mu.Lock()
		defer mu.Unlock()
		*drop = rng.IntN(4) != 0
		sent++
		if *drop {
			dropped++
		}
	})
	defer failpoint.Disable(workerid.FailDropRenewal)
	l, err := workerid.Claim(ctx(t), workerid.EtcdConfig{Client: cli, Lo: 0, Hi: 1, TTL: time.Second, Renew: 100 * time.Millisecond, Margin: 400 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close(context.Background(), true)
	allowed, refused := 0, 0
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if !l.Allows() {
			refused++
			continue
		}
		allowed++
		resp, err := cli.Get(ctx(t), l.Key())
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Kvs) != 1 || resp.Kvs[0].CreateRevision == 0 || resp.Kvs[0].Lease == 0 {
			t.Fatalf("fence allowed issuing but etcd holds %v", resp.Kvs)
		}
	}
	mu.Lock()
	t.Logf("%d of %d renewals dropped; fence allowed %d samples, refused %d", dropped, sent, allowed, refused)
	mu.Unlock()
	// The seeded drops include runs of six or more (600ms without a
	// confirmation): the fence must have refused at some point.
	if allowed == 0 || refused == 0 {
		t.Errorf("the fence allowed %d samples and refused %d; want both", allowed, refused)
	}
}

// A claimant paused between its claiming transaction and its first
// renewal for longer than the TTL (delayAfterClaim failpoint) must not
// come back holding a key etcd has already deleted: the claim renews
// before trusting the lease, finds it gone, and claims again.
func TestEtcdSlowClaimDoesNotReturnAnExpiredLease(t *testing.T) {
	_, cli := startEtcd(t, 1)
	var once sync.Once
	failpoint.EnableCall(workerid.FailDelayAfterClaim, func(owner string, delay *time.Duration) {
		once.Do(func() { *delay = 2500 * time.Millisecond })
	})
	defer failpoint.Disable(workerid.FailDelayAfterClaim)
	l, err := workerid.Claim(ctx(t), workerid.EtcdConfig{Client: cli, Lo: 0, Hi: 4, TTL: time.Second, Renew: 200 * time.Millisecond, Margin: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close(context.Background(), true)
	resp, err := cli.Get(ctx(t), l.Key())
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Kvs) != 1 {
		t.Fatalf("Claim returned ID %d, but etcd no longer holds %s", l.ID(), l.Key())
	}
	if !l.Allows() {
		t.Error("a fresh claim does not allow issuing")
	}
}
