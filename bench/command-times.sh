#!/bin/bash
# command-times.sh: wall time of short commands against a running throwaway instance, for
# Posthorn and (same commands, same set-up) a real Postfix: `postqueue -p` on an empty queue
# and `sendmail -t` of a 1 KB message. Uses hyperfine when installed (apt-get install
# hyperfine), else a loop of 20 runs. Target (issue 7): each at most 150 ms for Posthorn.
# Posthorn's commands are timed with the AOT cache bin/posthorn makes (waited for here) and,
# for comparison, without it (POSTHORN_AOT=off).
set -euo pipefail
home=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd -P)
shared=${SHARED_BENCH:-$home/../shared/bench}
[ -x "$shared/postfix-instance.sh" ] || shared=/work/shared/bench
port=${PORT_BASE:-12225}
work=$(mktemp -d /tmp/command-times.XXXXXX); chmod 755 "$work"
trap '"$home/bench/posthorn-instance.sh" "$work/ph" $port $((port + 1)) stop >/dev/null 2>&1 || true
      "$shared/postfix-instance.sh" "$work/pf" $((port + 2)) $((port + 3)) stop >/dev/null 2>&1 || true
      rm -rf "$work"' EXIT
"$home/bin/postconf" -d mail_version >/dev/null   # builds the jar on first use, starts the AOT training
for i in $(seq 1 120); do   # the training runs in the background: wait for its cache
  [ "${POSTHORN_AOT:-on}" = off ] || [ "$home/target/posthorn-cli.aot.key" -nt "$home/target/posthorn.jar" ] && break
  sleep 1
done
"$home/bench/posthorn-instance.sh" "$work/ph" $port $((port + 1)) start "defer_transports = smtp relay" >/dev/null
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$work/pf"; chmod 755 "$work/pf"
  "$shared/postfix-instance.sh" "$work/pf" $((port + 2)) $((port + 3)) start "defer_transports = smtp relay" >/dev/null
fi
{ printf 'From: bench@example.org\nTo: rcpt@remote.test\nSubject: command-times\n\n'
  for i in $(seq 1 13); do printf '%s\n' "$(printf 'x%.0s' $(seq 1 72))"; done; } >"$work/msg"

time_it() { # label command...
  local label=$1; shift
  if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 3 --runs 20 --style basic --export-json "$work/h.json" "$*" >/dev/null 2>&1 || true
    python3 -c "import json,sys; r=json.load(open('$work/h.json'))['results'][0]; print('%-34s mean %6.1f ms  median %6.1f ms  min %6.1f ms' % (sys.argv[1], r['mean']*1e3, r['median']*1e3, r['min']*1e3))" "$label"
  else
    local t0 t1; "$@" >/dev/null 2>&1; t0=$(date +%s%N)
    for i in $(seq 1 20); do "$@" >/dev/null 2>&1; done
    t1=$(date +%s%N); printf '%-34s mean %6.1f ms\n' "$label" "$(echo "($t1 - $t0) / 20000000" | bc -l)"
  fi
}
time_it "posthorn postqueue -p (empty)" "$home/bin/postqueue" -c "$work/ph/etc" -p
time_it "  the same without AOT cache" env POSTHORN_AOT=off "$home/bin/postqueue" -c "$work/ph/etc" -p
[ -d "$work/pf/etc" ] && time_it "postfix  postqueue -p (empty)" postqueue -c "$work/pf/etc" -p
# hyperfine -N gives no shell: sendmail reads the message through a small wrapper
printf '#!/bin/sh\nexec "$@" <%s\n' "$work/msg" >"$work/stdin"; chmod +x "$work/stdin"
time_it "posthorn sendmail -t (1 KB)" "$work/stdin" "$home/bin/sendmail" -C "$work/ph/etc" -t
time_it "  the same without AOT cache" env POSTHORN_AOT=off "$work/stdin" "$home/bin/sendmail" -C "$work/ph/etc" -t
[ -d "$work/pf/etc" ] && time_it "postfix  sendmail -t (1 KB)" "$work/stdin" /usr/sbin/sendmail -C "$work/pf/etc" -t
exit 0
