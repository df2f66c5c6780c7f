#!/bin/bash
# queue-postfix.sh DIR SMTP_PORT SINK_PORT start|stop ['name = value' ...]
# A throwaway real Postfix (Debian's package, started as root) in DIR for the queue-file
# interop tests: it listens on 127.0.0.1:SMTP_PORT, relays everything to
# [127.0.0.1]:SINK_PORT and logs to DIR/maillog. Its daemons run as the user postfix, so
# every folder above DIR must be searchable by that user. Extra main.cf lines follow the verb.
set -euo pipefail
dir=$1 port=$2 sink=$3 verb=$4; shift 4
if [ "$verb" = stop ]; then postfix -c "$dir/etc" stop >/dev/null 2>&1 || true; exit 0; fi
[ "$(id -u)" = 0 ] || { echo "must run as root to start a real Postfix" >&2; exit 2; }
command -v postfix >/dev/null || { echo "postfix is not installed" >&2; exit 2; }
mkdir -p "$dir/etc" "$dir/spool" "$dir/data"
cat >"$dir/etc/master.cf" <<CF
127.0.0.1:$port inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
CF
cat >"$dir/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $dir/spool
data_directory = $dir/data
myhostname = reference.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:$sink
smtpd_relay_restrictions = permit_mynetworks reject
disable_dns_lookups = yes
smtp_host_lookup = native
maillog_file_prefixes = $dir
maillog_file = $dir/maillog
alias_maps =
alias_database =
CF
for line in "$@"; do echo "$line" >>"$dir/etc/main.cf"; done
chown root "$dir/spool"
postfix -c "$dir/etc" set-permissions >/dev/null 2>&1 || true
postfix -c "$dir/etc" check >/dev/null 2>&1 || true
postfix -c "$dir/etc" start >/dev/null 2>&1 || { postfix -c "$dir/etc" start; exit 1; }
