#!/bin/bash
# scale-idle.sh [N]: one Posthorn instance holding N (default 10000) idle SMTP connections;
# prints how many got their 220 greeting and the instance's resident size (RSS) while it
# holds them, and the peak. Target (issue 7): 10,000 connections under 1 GB.
# The instance gets limits that allow it: smtpd maxproc N+100, no per-client connection
# limit, and the open-file limit raised for it and for the client (needs root or a high
# hard limit). Extra main.cf lines can follow N, as with posthorn-instance.sh.
set -euo pipefail
home=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd -P)
n=${1:-10000}; shift || true
port=${PORT:-12125} sink=${SINK_PORT:-12126}
ulimit -n $((n + 4096)) || { echo "scale-idle: cannot raise the open-file limit to $((n + 4096))" >&2; exit 2; }
dir=$(mktemp -d /tmp/scale-idle.XXXXXX)
trap '"$home/bench/posthorn-instance.sh" "$dir" $port $sink stop >/dev/null 2>&1 || true; [ -n "${KEEP:-}" ] || rm -rf "$dir"' EXIT
"$home/bench/posthorn-instance.sh" "$dir" $port $sink start \
  "default_process_limit = $((n + 100))" "smtpd_client_connection_count_limit = 0" \
  "smtpd_client_connection_rate_limit = 0" "$@" >/dev/null
for i in $(seq 1 300); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
pid=$(head -1 "$dir/spool/pid/master.pid" | tr -d ' ')
rss() {
  local kb; kb=$(sed -n "s/^$1:[[:space:]]*\([0-9]*\).*/\1/p" /proc/$pid/status 2>/dev/null)
  [ -n "$kb" ] && echo "$((kb / 1024)) MB" || { echo "gone (the master died: see $dir/maillog)"; tail -3 "$dir/maillog" >&2; }
}
echo "idle instance: RSS $(rss VmRSS)"
t0=$(date +%s.%N)
python3 "$home/bench/hold-connections.py" 127.0.0.1 $port $n 15 &
client=$!
sleep 12
echo "holding $n connections ($(printf '%.1f' "$(echo "$(date +%s.%N) - $t0" | bc)") s after the first): RSS $(rss VmRSS), threads $(ls /proc/$pid/task 2>/dev/null | wc -l)"
wait $client
echo "peak RSS $(rss VmHWM)"
