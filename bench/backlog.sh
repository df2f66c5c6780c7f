#!/bin/bash
# backlog.sh [N]: a Posthorn instance starts with N (default 100000) messages already in
# incoming/ and relays them all to a local smtp-sink; prints the delivery rate and the
# resident size (RSS) every 5 seconds, so one sees whether memory stays flat once qmgr's
# active-queue limits (qmgr_message_active_limit) are reached. Run after ./mvnw package
# (needs target/test-classes).
set -euo pipefail
home=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd -P)
n=${1:-100000}
port=${PORT:-12325} sink=${SINK_PORT:-12326}
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
dir=$(mktemp -d /tmp/backlog.XXXXXX); chmod 755 "$dir"
out=$dir/sink.out
trap '[ -n "${sinkpid:-}" ] && kill $sinkpid 2>/dev/null; "$home/bench/posthorn-instance.sh" "$dir/ph" $port $sink stop >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
# make the instance's layout, then fill its queue while it is down
"$home/bench/posthorn-instance.sh" "$dir/ph" $port $sink start >/dev/null
"$home/bench/posthorn-instance.sh" "$dir/ph" $port $sink stop >/dev/null
sleep 1
"$java" --enable-native-access=ALL-UNNAMED -cp "$home/target/posthorn.jar:$home/target/test-classes" org.posthorn.queue.BacklogMaker "$n" "$dir/ph/spool"
smtp-sink -c -u "$(id -un)" 127.0.0.1:$sink 256 >"$out" 2>&1 & sinkpid=$!
count() { tr '\r' '\n' <"$out" | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' | tail -n 1; }
t0=$(date +%s)
"$home/bench/posthorn-instance.sh" "$dir/ph" $port $sink start >/dev/null
pid=$(head -1 "$dir/ph/spool/pid/master.pid" | tr -d ' ')
while :; do
  sleep 5
  got=$(count); got=${got:-0}
  rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' /proc/$pid/status 2>/dev/null || echo 0)
  printf '%4ds delivered %6d  RSS %4d MB\n' $(( $(date +%s) - t0 )) "$got" $((rss / 1024))
  [ "$got" -ge "$n" ] && break
  [ -d /proc/$pid ] || { echo "backlog: the master died" >&2; exit 1; }
  [ $(( $(date +%s) - t0 )) -gt $(( n / 20 + 120 )) ] && { echo "backlog: too slow, giving up" >&2; exit 1; }
done
t=$(( $(date +%s) - t0 ))
echo "delivered $n in ${t}s = $(( n / (t > 0 ? t : 1) )) msg/s; peak RSS $(( $(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' /proc/$pid/status) / 1024 )) MB"
