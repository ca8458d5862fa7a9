// Package etcdlocal runs a real etcd cluster inside the process, on
// loopback ports and in a temporary directory, for integration tests
// and for `idsim live` when no external cluster is given.
//
// It runs the etcd server itself (go.etcd.io/etcd/server/v3/embed) with
// short raft ticks, so that a cluster starts, elects a leader and
// recovers from a lost member in a fraction of a second.
package etcdlocal

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// Cluster is a running in-process etcd cluster.
type Cluster struct {
	dir     string
	members []*member
}

type member struct {
	name    string
	client  string
	etcd    *embed.Etcd
	stopped bool
}

// Options tune a cluster. The zero value starts one member with 10ms
// ticks and a 100ms election timeout.
type Options struct {
	// Members is the cluster size; zero means 1.
	Members int
	// TickMs and ElectionMs are raft's heartbeat interval and election
	// timeout; zero means 10 and 100.
	TickMs, ElectionMs uint
	// Dir holds the members' data; empty means a new temporary
	// directory, removed by Close.
	Dir string
}

// Start starts a cluster and waits until every member is ready.
func Start(opt Options) (*Cluster, error) {
	n := max(opt.Members, 1)
	tick, election := opt.TickMs, opt.ElectionMs
	if tick == 0 {
		tick = 10
	}
	if election == 0 {
		election = 10 * tick
	}
	c := &Cluster{dir: opt.Dir}
	if c.dir == "" {
		d, err := os.MkdirTemp("", "idsim-etcd-")
		if err != nil {
			return nil, err
		}
		c.dir = d
	}
	ports, err := freePorts(2 * n)
	if err != nil {
		return nil, err
	}
	var initial []string
	cfgs := make([]*embed.Config, n)
	for i := range n {
		cfg := embed.NewConfig()
		cfg.Name = fmt.Sprintf("m%d", i)
		cfg.Dir = filepath.Join(c.dir, cfg.Name)
		cfg.TickMs, cfg.ElectionMs = tick, election
		// etcd logs its own shutdown as errors; its state is checked
		// through the client instead.
		cfg.Logger = "zap"
		cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
		cfg.UnsafeNoFsync = true // test data: durability across power loss is not the point
		cfg.InitialClusterToken = filepath.Base(c.dir)
		peer := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", ports[2*i])}
		client := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", ports[2*i+1])}
		cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{peer}, []url.URL{peer}
		cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{client}, []url.URL{client}
		initial = append(initial, cfg.Name+"="+peer.String())
		cfgs[i] = cfg
		c.members = append(c.members, &member{name: cfg.Name, client: client.String()})
	}
	for i, cfg := range cfgs {
		cfg.InitialCluster = strings.Join(initial, ",")
		// Members of a multi-member cluster wait for each other before
		// they are ready: start them all, then wait.
		e, err := embed.StartEtcd(cfg)
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("etcdlocal: starting %s: %w", cfg.Name, err)
		}
		c.members[i].etcd = e
	}
	for _, m := range c.members {
		select {
		case <-m.etcd.Server.ReadyNotify():
		case err := <-m.etcd.Err():
			c.Close()
			return nil, fmt.Errorf("etcdlocal: %s: %w", m.name, err)
		case <-time.After(30 * time.Second):
			c.Close()
			return nil, errors.New("etcdlocal: the cluster did not become ready within 30s")
		}
	}
	return c, nil
}

// Endpoints returns the client URLs of the members that are running.
func (c *Cluster) Endpoints() []string {
	var out []string
	for _, m := range c.members {
		if !m.stopped {
			out = append(out, m.client)
		}
	}
	return out
}

// Stop stops member i, as a crashed machine would be: its data stays.
func (c *Cluster) Stop(i int) {
	m := c.members[i]
	if !m.stopped && m.etcd != nil {
		m.etcd.Close()
	}
	m.stopped = true
}

// Close stops every member and removes the data directory if Start
// created it.
func (c *Cluster) Close() {
	for i := range c.members {
		c.Stop(i)
	}
	if strings.HasPrefix(filepath.Base(c.dir), "idsim-etcd-") {
		os.RemoveAll(c.dir)
	}
}

// freePorts asks the kernel for n free loopback ports.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
