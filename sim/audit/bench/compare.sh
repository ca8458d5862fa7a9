#!/bin/sh
# compare.sh FILE [RUNS] — time `idsim check FILE --layout twitter --ordered`
# against `LC_ALL=C sort -n -S 2G --parallel=2 FILE | uniq -d` in RUNS
# (default 3) paired runs, sort first then check, alternating, and print
# each pair's wall times, CPU times (user and system), peak resident
# memory and the ratios check/sort. The wall-time ratio is the figure to
# quote: absolute times drift with the machine's load, a ratio measured
# in one pair much less. The CPU ratio drifts least.
#
#   go run ./sim/audit/internal/gen -n 10000000 -dups 1000 > /tmp/ids.txt
#   sim/audit/bench/compare.sh /tmp/ids.txt
#
# IDSIM names the idsim binary to time; by default it is built from this
# checkout into a temporary directory. Needs GNU time as /usr/bin/time.
set -eu
file=${1:?usage: compare.sh FILE [RUNS]}
runs=${2:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
if [ -z "${IDSIM:-}" ]; then
	root=$(cd "$(dirname "$0")/../../.." && pwd)
	(cd "$root" && go build -o "$tmp/idsim" ./cmd/idsim)
	IDSIM=$tmp/idsim
fi
echo "file: $file ($(wc -l < "$file") lines); idsim: $IDSIM; $(nproc) CPUs; load: $(cut -d' ' -f1-3 /proc/loadavg)"
i=1
while [ "$i" -le "$runs" ]; do
	/usr/bin/time -f '%e %M %U %S' -o "$tmp/sort.t" sh -c 'LC_ALL=C sort -n -S 2G --parallel=2 "$1" | uniq -d > "$2"' sh "$file" "$tmp/sort.out"
	status=0
	/usr/bin/time -f '%e %M %U %S' -o "$tmp/check.t" "$IDSIM" check "$file" --layout twitter --ordered > "$tmp/check.out" || status=$?
	if [ "$status" -gt 1 ]; then
		echo "idsim check failed with status $status" >&2
		exit 2
	fi
	# sort's duplicate lines and check's duplicated IDs must agree.
	sorted=$(wc -l < "$tmp/sort.out")
	checked=$(sed -n 's/^duplicates: *\([0-9]*\)$/\1/p' "$tmp/check.out")
	# GNU time writes "Command exited with non-zero status 1" first
	# when check finds problems: the figures are on the last line.
	read -r ss sm su sy <<-END
		$(tail -n 1 "$tmp/sort.t")
	END
	read -r cs cm cu cy <<-END
		$(tail -n 1 "$tmp/check.t")
	END
	awk -v i="$i" -v ss="$ss" -v sm="$sm" -v sc="$su $sy" -v cs="$cs" -v cm="$cm" -v cc="$cu $cy" -v u="$sorted" -v d="${checked:-0}" 'BEGIN {
		split(sc, a, " "); split(cc, b, " "); scpu = a[1] + a[2]; ccpu = b[1] + b[2]
		printf "run %d: sort|uniq -d %.2f s (%.2f s CPU, %d MB, %d repeated IDs); idsim check %.2f s (%.2f s CPU, %d MB, %d duplicates); ratio %.3f (CPU %.3f)\n",
			i, ss, scpu, sm/1024, u, cs, ccpu, cm/1024, d, cs/ss, ccpu/scpu }'
	i=$((i + 1))
done
