#!/bin/bash
# posthorn-instance.sh DIR SMTP_PORT SINK_PORT start|stop ['name = value' ...]
# A throwaway Posthorn in DIR, listening on 127.0.0.1:SMTP_PORT and relaying everything to
# [127.0.0.1]:SINK_PORT: the same set-up as ../shared/bench/postfix-instance.sh gives a real
# Postfix, so that relay-bench.sh measures both alike.
set -euo pipefail
home=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd -P)
dir=$1 port=$2 sink=$3 verb=$4; shift 4
pf() { "$home/bin/postfix" -c "$dir/etc" "$@"; }
if [ "$verb" = stop ]; then pf stop >/dev/null 2>&1 || true; exit 0; fi
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
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
CF
cat >"$dir/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $dir/spool
data_directory = $dir/data
mail_owner = $(id -un)
setgid_group = $(id -gn)
myhostname = posthorn.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:$sink
smtpd_relay_restrictions = permit_mynetworks reject
disable_dns_lookups = yes
smtp_host_lookup = native
default_destination_concurrency_limit = 20
maillog_file_prefixes = $dir
maillog_file = $dir/maillog
alias_maps =
alias_database =
CF
for line in "$@"; do echo "$line" >>"$dir/etc/main.cf"; done
pf start >/dev/null
