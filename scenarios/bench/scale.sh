#!/bin/sh
# scale.sh SCHEME IDS WORKERS: one row of the README's scaling table.
#
# Runs `idsim run` on a generated scenario — WORKERS workers issuing
# IDS IDs in all over 2 s of virtual time (9.76 s from 1e9 IDs, 97.6 s
# from 1e10, whose record spills to disk past half of --max-memory), Poisson
# arrivals, no faults — under /usr/bin/time and prints one Markdown row:
# IDs/s of wall time, record bytes per ID, peak resident memory, and
# system time as a share of CPU time. SCHEME is snowflake, uuidv7,
# rangebatch or lease (Snowflake with fenced etcd-style leases from the
# simulated coordinator). IDSIM names the binary (default: build one).
#
#   scenarios/bench/scale.sh snowflake 1e8 1024
set -eu
scheme=$1 ids=$2 workers=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
bin=${IDSIM:-}
if [ -z "$bin" ]; then
	bin=$dir/idsim
	go build -o "$bin" ./cmd/idsim
fi
secs=2
if [ "$(awk "BEGIN{print ($ids >= 1e9)}")" = 1 ]; then secs=9.76; fi
if [ "$(awk "BEGIN{print ($ids >= 1e10)}")" = 1 ]; then secs=97.6; fi
rate=$(awk "BEGIN{printf \"%d\", $ids / ($workers * $secs)}")
# The Twitter layout holds 1,024 nodes; more take a layout with 14 node
# bits and 8 of sequence (256 IDs per millisecond per worker).
layout=twitter
if [ "$workers" -gt 1024 ]; then
	layout='{name: node14, epoch: 2020-01-01T00:00:00Z, unit: 1ms, time_bits: 41, worker_bits: 14, sequence_bits: 8}'
fi
case $scheme in
snowflake) line="{label: s, kind: snowflake, layout: $layout, on_clock_backward: error}" ;;
lease) line="{label: s, kind: snowflake, layout: $layout, on_clock_backward: error, worker_ids: {strategy: lease, ttl: 1s, heartbeat: 100ms}}" ;;
uuidv7) line='{label: s, kind: uuidv7}' ;;
rangebatch) line='{label: s, kind: rangebatch, batch: 1000, prefetch_at: 0.5}' ;;
*) echo "scale.sh: unknown scheme $scheme (snowflake, lease, uuidv7, rangebatch)" >&2; exit 2 ;;
esac
cat >"$dir/scale.yaml" <<YAML
name: scale
duration: ${secs}s
workers: {count: $workers}
load: {per_worker: $rate/s, pattern: poisson}
schemes:
  - $line
YAML
/usr/bin/time -v "$bin" run --quiet --max-memory 20GB --out "$dir/out" "$dir/scale.yaml" 2>"$dir/time" >/dev/null || { cat "$dir/time" >&2; exit 1; }
gen=$(grep -o '"generated": [0-9]*' "$dir/out/scale/results.json" | head -1 | grep -o '[0-9]*$')
rec=$(grep -o '"record_bytes": [0-9]*' "$dir/out/scale/results.json" | head -1 | grep -o '[0-9]*$')
awk -v scheme="$scheme" -v ids="$ids" -v workers="$workers" -v gen="$gen" -v rec="$rec" '
/Elapsed \(wall clock\)/ { n = split($NF, t, ":"); wall = (n == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
/User time/ { user = $NF }
/System time/ { sys = $NF }
/Maximum resident/ { rss = $NF }
END {
	printf "| %s | %s | %d | %.1f M | %.2f | %.2f GB | %.0f%% | `scenarios/bench/scale.sh %s %s %d` |\n",
		scheme, ids, workers, gen / wall / 1e6, rec / gen, rss / 1048576, 100 * sys / (user + sys), scheme, ids, workers
}' "$dir/time"
