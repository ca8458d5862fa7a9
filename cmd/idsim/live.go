package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/idsim/idsim/internal/etcdlocal"
	"github.com/idsim/idsim/scenarios"
	"github.com/idsim/idsim/scenarios/live"
)

func cmdLive(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("live", "live FILE_OR_NAME [--etcd-endpoints URL,...] [--seed N] [--out DIR] [--quiet]",
		`Runs a scenario's Snowflake workers and programs (schemes that run a
command over the JSON-lines protocol) for real instead of simulating them:
one goroutine per worker on the machine's clock, worker IDs claimed from
etcd with the production allocator (generators/workerid), faults injected
through failpoints and per-worker clock offsets (the machine's clock is
never changed). Each scheme runs for the scenario's duration in real time,
one after another. The IDs are checked as 'idsim run' checks them, and
DIR/<scenario>/results.json and report.md are written the same way.

Without --etcd-endpoints an etcd server is started in-process on loopback
ports with its data in a temporary directory, removed afterwards.

Faults: a pause stops the worker and drops its lease renewals; a restart
abandons its lease as a crash does; clock_step moves the worker's clock
offset; coordinator_partition drops renewals and holds back claims;
renewal_loss drops renewals at random, drawn from the seeded stream the
simulator uses; network_delay holds renewals back. Schemes must be
Snowflake schemes, with static, claim_lowest_free or lease worker IDs, or
programs. Other faults and strategies run in the simulator only: a
scenario that uses them is refused with exit status 2.

Programs: a restart kills the program and starts it again, a pause stops
delivering to it, and every generate carries the worker's stepped real
clock. A program on real time (no "uses_clock": true in its init_ok)
gets its clock steps through libfaketime (apt-get install faketime;
IDSIM_LIBFAKETIME=PATH of libfaketime.so.1, or off): a timestamp file per
program, the monotonic clock left real. libfaketime does not reach Go
programs, which read the time through the vDSO: idsim warns of them.

Try:
  idsim live zombie-lease`, stderr)
	endpoints := fs.String("etcd-endpoints", "", "comma-separated client URLs of an existing etcd cluster (default: start one in-process)")
	cacert := fs.String("etcd-cacert", "", "with --etcd-endpoints: PEM file of the CA that signed the cluster's certificates (TLS)")
	cert := fs.String("etcd-cert", "", "with --etcd-endpoints: PEM client certificate, for a cluster that checks clients")
	key := fs.String("etcd-key", "", "with --etcd-cert: its PEM private key")
	user := fs.String("etcd-user", "", "with --etcd-endpoints: the user to authenticate as; the password is read from IDSIM_ETCD_PASSWORD")
	seed := fs.String("seed", "", "seed for the arrival times instead of the scenario's (a whole number)")
	out := fs.String("out", "idsim-out", "directory to write results into")
	quiet := fs.Bool("quiet", false, "print only where the report is and failures")
	names, err := parse(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	if len(names) != 1 {
		fmt.Fprintf(stderr, "idsim live: name one scenario file or shipped scenario, e.g. idsim live zombie-lease\n")
		return exitUsage
	}
	sc, err := scenarios.Load(names[0])
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return exitUsage
	}
	if err := live.Check(sc); err != nil {
		fmt.Fprintf(stderr, "idsim live: %s: %v\n", sc.File, err)
		return exitUsage
	}
	for _, w := range live.Warnings(sc) {
		fmt.Fprintf(stderr, "idsim live: warning: %s: %s\n", sc.File, w)
	}
	if err := checkOut(*out, sc.Name); err != nil {
		fmt.Fprintf(stderr, "idsim live: %v\n", err)
		return exitUsage
	}
	opt := live.Options{}
	if *seed != "" {
		n, err := strconv.ParseUint(*seed, 10, 64)
		if err != nil {
			fmt.Fprintf(stderr, "idsim live: --seed %q is not a whole number\n", *seed)
			return exitUsage
		}
		opt.Seed, opt.SeedSet = n, true
	}
	// From here on a signal cancels the run, which then returns and
	// cleans up.
	ctx, stop := cancelOnSignal()
	defer stop()
	needsEtcd := live.NeedsEtcd(sc)
	if *endpoints != "" {
		for _, e := range strings.Split(*endpoints, ",") {
			if e = strings.TrimSpace(e); e != "" {
				opt.Endpoints = append(opt.Endpoints, e)
			}
		}
		if len(opt.Endpoints) == 0 {
			fmt.Fprintln(stderr, "idsim live: --etcd-endpoints lists no URL")
			return exitUsage
		}
		if opt.TLS, err = etcdTLS(*cacert, *cert, *key); err != nil {
			fmt.Fprintf(stderr, "idsim live: %v\n", err)
			return exitUsage
		}
		if *user != "" {
			opt.Username, opt.Password = *user, os.Getenv("IDSIM_ETCD_PASSWORD")
		}
	} else if *cacert != "" || *cert != "" || *key != "" || *user != "" {
		fmt.Fprintln(stderr, "idsim live: --etcd-cacert, --etcd-cert, --etcd-key and --etcd-user apply to a cluster given with --etcd-endpoints")
		return exitUsage
	} else if needsEtcd {
		c, err := etcdlocal.Start(etcdlocal.Options{})
		if err != nil {
			fmt.Fprintf(stderr, "idsim live: starting an in-process etcd: %v\n", err)
			return exitUsage
		}
		defer c.Close()
		opt.Endpoints = c.Endpoints()
		if !*quiet {
			fmt.Fprintf(stderr, "%s: in-process etcd at %s\n", sc.Name, strings.Join(opt.Endpoints, ","))
		}
	}
	if !*quiet && isTerminal(stderr) {
		opt.Progress = func(scheme string, i, n int) {
			fmt.Fprintf(stderr, "%s: running %s live for %v (%d/%d)\n", sc.Name, scheme, sc.Duration, i+1, n)
		}
	}
	started := time.Now()
	res, err := live.Run(ctx, sc, opt)
	if status := interrupted.Load(); status != 0 {
		// Returning, not exiting, stops the in-process etcd and removes
		// its data directory.
		fmt.Fprintf(stderr, "idsim live: stopped by a signal; nothing written\n")
		return int(status)
	}
	if err != nil {
		// Not a verdict (exit 1 means an expectation was violated):
		// the run could not be made, e.g. etcd is unreachable.
		fmt.Fprintf(stderr, "idsim live: %v\n", err)
		return exitUsage
	}
	dir, err := writeResults(*out, res)
	if err != nil {
		fmt.Fprintf(stderr, "idsim live: writing results: %v\n", err)
		return exitUsage
	}
	if !*quiet {
		summary(stdout, res, time.Since(started))
	}
	status := exitOK
	if !verdict(stdout, sc, res, dir) {
		status = exitFailed
	}
	return status
}

// etcdTLS builds the client's TLS configuration from PEM files, or
// returns nil when none is given.
func etcdTLS(cacert, cert, key string) (*tls.Config, error) {
	if cacert == "" && cert == "" && key == "" {
		return nil, nil
	}
	if (cert == "") != (key == "") {
		return nil, fmt.Errorf("--etcd-cert and --etcd-key go together")
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if cacert != "" {
		pem, err := os.ReadFile(cacert)
		if err != nil {
			return nil, fmt.Errorf("--etcd-cacert: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--etcd-cacert %s: no PEM certificate in it", cacert)
		}
		cfg.RootCAs = pool
	}
	if cert != "" {
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("--etcd-cert/--etcd-key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}
