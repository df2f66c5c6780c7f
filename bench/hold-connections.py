#!/usr/bin/env python3
"""hold-connections.py HOST PORT N [SECONDS]: opens N SMTP connections, reads each greeting,
then holds them all idle for SECONDS (default 10) and prints how many got a 220 greeting.
Used by bench/scale-idle.sh; raise `ulimit -n` above N first."""
import selectors, socket, sys, time

host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
hold = float(sys.argv[4]) if len(sys.argv) > 4 else 10.0
sel = selectors.DefaultSelector()
socks, greeted, failed = [], 0, 0
pending = {}
for i in range(n):
    s = socket.socket()
    s.setblocking(False)
    s.connect_ex((host, port))
    sel.register(s, selectors.EVENT_READ)
    pending[s] = b""
    socks.append(s)
    # read greetings as they come, so the server's accept backlog never overflows
    for key, _ in sel.select(timeout=0):
        data = key.fileobj.recv(512)
        if data.startswith(b"220"): greeted += 1
        else: failed += 1
        sel.unregister(key.fileobj)
deadline = time.time() + 120
while greeted + failed < n and time.time() < deadline:
    for key, _ in sel.select(timeout=1):
        try:
            data = key.fileobj.recv(512)
        except OSError:
            data = b""
        if data.startswith(b"220"): greeted += 1
        else: failed += 1
        sel.unregister(key.fileobj)
print(f"connections: {n}, greeted: {greeted}, failed: {failed}", flush=True)
time.sleep(hold)
for s in socks: s.close()
