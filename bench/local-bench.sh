#!/bin/bash
# local-bench.sh: one throughput run of local delivery: like ../shared/bench/relay-bench.sh,
# but the MTA delivers every message through local(8) into the Maildir folder --maildir, and
# end-to-end means "that many files are in DIR/new". Prints the same two lines:
#   ingest: M msgs in T s = R msg/s        (smtp-source finished: every message had its 250)
#   end-to-end: M msgs in T s = R msg/s    (the messages are in the Maildir)
# Needs smtp-source (Debian package postfix) and bc.
set -euo pipefail
port=10025 m=1000 s=20 l=4096 start="" stop="" rcpt="" maildir="" wait_s=300
while [ $# -gt 0 ]; do
  case $1 in
    --port) port=$2; shift 2;; --maildir) maildir=$2; shift 2;;
    -m) m=$2; shift 2;; -s) s=$2; shift 2;; -l) l=$2; shift 2;;
    --start) start=$2; shift 2;; --stop) stop=$2; shift 2;;
    --rcpt) rcpt=$2; shift 2;; --wait) wait_s=$2; shift 2;;
    *) echo "local-bench: unknown option $1" >&2; exit 2;;
  esac
done
[ -n "$maildir" ] && [ -n "$rcpt" ] || { echo "local-bench: --maildir and --rcpt are required" >&2; exit 2; }
for t in smtp-source bc; do
  command -v $t >/dev/null || { echo "local-bench: $t not found (apt-get install postfix bc)" >&2; exit 2; }
done
trap '[ -n "$stop" ] && eval "$stop" >/dev/null 2>&1 || true' EXIT
[ -n "$start" ] && eval "$start"
for i in $(seq 1 300); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
count() { find "$maildir/new" -maxdepth 1 -type f 2>/dev/null | wc -l; }
base=$(count)
t0=$(date +%s.%N)
smtp-source -s "$s" -m "$m" -l "$l" -f sender@bench.test -t "$rcpt" 127.0.0.1:$port
t1=$(date +%s.%N)
deadline=$(( $(date +%s) + wait_s ))
while :; do
  n=$(count)
  [ $((n - base)) -ge "$m" ] && break
  [ "$(date +%s)" -ge $deadline ] && { echo "local-bench: only $((n - base)) of $m arrived in ${wait_s}s" >&2; exit 1; }
  sleep 0.05
done
t2=$(date +%s.%N)
printf 'ingest: %d msgs in %.2f s = %.0f msg/s\n' "$m" "$(echo "$t1-$t0" | bc)" "$(echo "$m/($t1-$t0)" | bc -l)"
printf 'end-to-end: %d msgs in %.2f s = %.0f msg/s\n' "$m" "$(echo "$t2-$t0" | bc)" "$(echo "$m/($t2-$t0)" | bc -l)"
