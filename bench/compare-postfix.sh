#!/bin/bash
# compare-postfix.sh: Posthorn against a real Postfix on this machine, case by case.
# For each case it starts a throwaway Posthorn (bench/posthorn-instance.sh), runs one
# benchmark, stops it, then does the same with a throwaway Postfix
# (../shared/bench/postfix-instance.sh), N times in alternation, and prints a table of the
# medians of ingest and end-to-end msg/s with the ratio Posthorn/Postfix. Ratios from one
# run are what counts: absolute rates move with the machine's load.
#
# Usage: bench/compare-postfix.sh [-n N] [--quick] [--warm] [--cases "4k-20 4k-1 4k-100 100k-20 local"]
#        [--port-base P] [--keep DIR] [--settle S]
#   -n N        repetitions of each pair (default 3)
#   --warm      steady state: each MTA is started once per case and takes one unmeasured run
#               of the case before the N measured ones (Posthorn's JIT has compiled its paths,
#               Postfix's daemons are forked), instead of a fresh start for every run
#   --quick     a tenth of the messages and no --settle waits (smoke test; numbers are not
#               representative)
#   --cases     which cases to run (default: all five)
#   --port-base first of six loopback ports to use (default 12025)
#   --keep DIR  work in DIR and leave the instances' files there (default: a temp dir, removed)
#   --settle S  seconds to wait, after a sync, before each run (default: 65 on ext4 without
#               a journal, else 0). Such a file system makes every new file's inode search
#               skip each inode freed in the last minute (more while its table is unwritten),
#               so the thousands of files the previous run removed (Postfix's queue files, the
#               old Maildir) would slow the next run's new files: queue files and Maildir
#               files alike. --settle 0 skips the waits (a quicker, less fair run).
# Needs: Debian's postfix package (postfix, smtp-source, smtp-sink), bc, and root (Postfix's
# daemons and the local(8) delivery run as root/nobody); the jar is built on first use.
# Cases (messages x size x sessions):
#   4k-20    5000 x 4 KiB x 20 sessions, relayed to smtp-sink
#   4k-1     1000 x 4 KiB x 1 session
#   4k-100  10000 x 4 KiB x 100 sessions
#   100k-20  1000 x 100 KiB x 20 sessions
#   local    2000 x 4 KiB x 20 sessions into a Maildir through local(8) (an alias to DIR/Maildir/)
set -euo pipefail
home=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd -P)
shared=${SHARED_BENCH:-}
for d in "$home/../shared/bench" /work/shared/bench; do
  [ -z "$shared" ] && [ -x "$d/relay-bench.sh" ] && shared=$(cd "$d" && pwd -P)
done
[ -n "$shared" ] || { echo "compare-postfix: cannot find relay-bench.sh (set SHARED_BENCH)" >&2; exit 2; }
n=3 quick=0 warm=0 cases="4k-20 4k-1 4k-100 100k-20 local" base=12025 keep="" settle=""
while [ $# -gt 0 ]; do
  case $1 in
    -n) n=$2; shift 2;; --quick) quick=1; shift;; --warm) warm=1; shift;; --cases) cases=$2; shift 2;;
    --port-base) base=$2; shift 2;; --keep) keep=$2; shift 2;;
    --settle) settle=$2; shift 2;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0;;
    *) echo "compare-postfix: unknown option $1" >&2; exit 2;;
  esac
done
for t in postfix smtp-source smtp-sink bc; do
  command -v $t >/dev/null || { echo "compare-postfix: $t not found (apt-get install postfix bc)" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "compare-postfix: run as root (a real Postfix needs it)" >&2; exit 2; }
for p in $(seq $base $((base + 5))); do
  if (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "compare-postfix: port $p is in use (--port-base)" >&2; exit 2; fi
done
# Postfix's processes can block for good on a full postlogd socket (see bin/run-tests)
q=/proc/sys/net/unix/max_dgram_qlen
if [ -w "$q" ] && [ "$(cat "$q")" -lt 512 ]; then echo 512 >"$q" 2>/dev/null || true; fi
# build the jar (and warm the class-data archive) the way bin/posthorn does
"$home/bin/postconf" -d mail_version >/dev/null

if [ -n "$keep" ]; then work=$(mkdir -p "$keep" && cd "$keep" && pwd -P); else work=$(mktemp -d /tmp/compare-postfix.XXXXXX); fi
chmod 755 "$work"
[ $quick = 1 ] && [ -z "$settle" ] && settle=0  # a smoke test: no waits
if [ -z "$settle" ]; then
  settle=0 dev=$(findmnt -no SOURCE -T "$work" 2>/dev/null || true)
  [ "$(findmnt -no FSTYPE -T "$work" 2>/dev/null || true)" = ext4 ] &&
    [ "$(cat "/sys/fs/ext4/${dev##*/}/journal_task" 2>/dev/null || true)" = "<none>" ] && settle=65
fi
[ "$settle" -gt 0 ] && echo "compare-postfix: waiting ${settle}s before each run (--settle)" >&2
cleanup() {
  "$home/bench/posthorn-instance.sh" "$work/ph" $base $((base + 1)) stop >/dev/null 2>&1 || true
  "$shared/postfix-instance.sh" "$work/pf" $((base + 2)) $((base + 3)) stop >/dev/null 2>&1 || true
  [ -z "$keep" ] && rm -rf "$work"
  return 0
}
trap cleanup EXIT

spec() { # case -> "size sessions messages kind"
  case $1 in
    4k-20) echo 4096 20 5000 relay;; 4k-1) echo 4096 1 1000 relay;; 4k-100) echo 4096 100 10000 relay;;
    100k-20) echo 102400 20 1000 relay;; local) echo 4096 20 2000 local;;
    *) echo "compare-postfix: unknown case $1" >&2; exit 2;;
  esac
}

# peak resident size (VmHWM, MiB) of a process and its children
peak_rss() {
  local total=0 p kb
  for p in $1 $(pgrep -P "$1" 2>/dev/null || true); do
    kb=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' /proc/$p/status 2>/dev/null || true)
    total=$((total + ${kb:-0}))
  done
  echo $((total / 1024))
}

# where an MTA listens, its sink, and its instance script: mta -> "port sink inst"
where() {
  if [ $1 = ph ]; then echo $base $((base + 1)) "$home/bench/posthorn-instance.sh"
  else echo $((base + 2)) $((base + 3)) "$shared/postfix-instance.sh"; fi
}

# a new instance directory for mta (ph|pf) and case; prints the main.cf lines it needs, quoted
prepare() {
  local mta=$1 c=$2 l s m kind dir port sink inst extra=()
  read -r l s m kind <<<"$(spec "$c")"
  read -r port sink inst <<<"$(where $mta)"
  dir=$work/$mta
  "$inst" "$dir" $port $sink stop >/dev/null 2>&1 || true
  rm -rf "$dir"; mkdir -p "$dir"; chmod 755 "$dir"
  if [ $kind = local ]; then
    mkdir -p "$dir/Maildir/new" "$dir/Maildir/cur" "$dir/Maildir/tmp"
    chown -R nobody "$dir/Maildir"
    echo "bench $dir/Maildir/" >"$dir/aliases"  # texthash: postmap format, no colon
    extra=("mydestination = local.test" "alias_maps = texthash:$dir/aliases"
           "local_recipient_maps = texthash:$dir/aliases")
  fi
  printf "'%s' " "${extra[@]+"${extra[@]}"}"
}

# commands that start and stop mta's instance (the stop records Posthorn's peak RSS first)
start_cmd() { local port sink inst; read -r port sink inst <<<"$(where $1)"; echo "$inst $work/$1 $port $sink start $3"; }
stop_cmd() {
  local port sink inst dir=$work/$1; read -r port sink inst <<<"$(where $1)"
  echo "[ $1 = ph ] && [ -f $dir/spool/pid/master.pid ] && echo rss \$(peak_rss \$(head -1 $dir/spool/pid/master.pid | tr -d ' ')) >>$work/rss.$2; $inst $dir $port $sink stop"
}

# one benchmark run: mta, case, start and stop commands ("" for an instance already running),
# and whether to record it -> appends "ingest e2e" to $work/results.<case>.<mta>
bench() {
  local mta=$1 c=$2 start=$3 stop=$4 record=$5 l s m kind port sink inst dir=$work/$1 out
  read -r l s m kind <<<"$(spec "$c")"
  read -r port sink inst <<<"$(where $mta)"
  [ $quick = 1 ] && m=$(( m / 10 ))
  # a running instance's earlier deliveries go, so that every run writes into the same empty folder
  [ $kind = local ] && find "$dir/Maildir/new" -maxdepth 1 -type f -delete
  [ "$settle" -gt 0 ] && { sync; sleep "$settle"; }
  export -f peak_rss
  if [ $kind = local ]; then
    out=$("$home/bench/local-bench.sh" --port $port --maildir "$dir/Maildir" --rcpt bench@local.test \
          -m $m -s $s -l $l --start "$start" --stop "$stop" 2>&1) || { echo "$out" >&2; return 1; }
  else
    out=$("$shared/relay-bench.sh" --port $port --sink-port $sink -m $m -s $s -l $l \
          --start "$start" --stop "$stop" 2>&1) || { echo "$out" >&2; return 1; }
  fi
  local ing e2e
  ing=$(sed -n 's/^ingest:.*= \([0-9]*\) msg\/s/\1/p' <<<"$out")
  e2e=$(sed -n 's/^end-to-end:.*= \([0-9]*\) msg\/s/\1/p' <<<"$out")
  [ "$record" = 1 ] && echo "$ing $e2e" >>"$work/results.$c.$mta"
  printf '  %-8s %-8s %s: ingest %5s  end-to-end %5s msg/s\n' "$c" "$([ $mta = ph ] && echo posthorn || echo postfix)" \
    "$([ "$record" = 1 ] && echo run || echo warm-up)" "$ing" "$e2e" >&2
}

# a fresh instance for one recorded run
run_one() {
  local extra; extra=$(prepare $1 $2)
  bench $1 $2 "$(start_cmd $1 $2 "$extra")" "$(stop_cmd $1 $2)" 1
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print 0; else if (NR % 2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }
ratio() { [ "$2" -gt 0 ] && printf '%.2f' "$(echo "$1/$2" | bc -l)" || echo "-"; }

echo "compare-postfix: $n pair(s) per case$([ $quick = 1 ] && echo ', quick')$([ $warm = 1 ] && echo ', warm'), in $work" >&2
for c in $cases; do
  spec "$c" >/dev/null
  rm -f "$work/results.$c.ph" "$work/results.$c.pf" "$work/rss.$c"
  if [ $warm = 1 ]; then
    # both instances run through the case; each idles while the other is measured
    for mta in ph pf; do
      out=$(eval "$(start_cmd $mta "$c" "$(prepare $mta "$c")")" 2>&1) || { echo "$out" >&2; exit 1; }
    done
    for mta in ph pf; do bench $mta "$c" "" "" 0; done
    for i in $(seq 1 "$n"); do bench ph "$c" "" "" 1; bench pf "$c" "" "" 1; done
    for mta in ph pf; do eval "$(stop_cmd $mta "$c")" >/dev/null 2>&1 || true; done
  else
    for i in $(seq 1 "$n"); do run_one ph "$c"; run_one pf "$c"; done
  fi
done

printf '\n%-9s %-22s %9s %9s %6s   %9s %9s %6s %8s\n' case "msgs x size x sessions" "ph in" "pf in" ratio "ph e2e" "pf e2e" ratio "ph RSS"
for c in $cases; do
  read -r l s m kind <<<"$(spec "$c")"; [ $quick = 1 ] && m=$(( m / 10 ))
  pi=$(cut -d' ' -f1 "$work/results.$c.ph" | median); fi_=$(cut -d' ' -f1 "$work/results.$c.pf" | median)
  pe=$(cut -d' ' -f2 "$work/results.$c.ph" | median); fe=$(cut -d' ' -f2 "$work/results.$c.pf" | median)
  rss=$(sed -n 's/^rss //p' "$work/rss.$c" 2>/dev/null | sort -n | tail -1)
  printf '%-9s %-22s %9s %9s %6s   %9s %9s %6s %7sM\n' "$c" "$m x $((l / 1024))K x $s$([ $kind = local ] && echo ' Maildir')" \
    "$pi" "$fi_" "$(ratio "$pi" "$fi_")" "$pe" "$fe" "$(ratio "$pe" "$fe")" "${rss:--}"
done
echo "(msg/s, medians of $n runs$([ $warm = 1 ] && echo ' after a warm-up run' || echo ' of fresh instances'); ratio = Posthorn/Postfix; RSS = Posthorn's peak resident size)"
