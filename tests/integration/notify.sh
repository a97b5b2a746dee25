# notify.sh: the sd_notify protocol, against a listener of our own (python3)
# on an abstract socket and on a path: READY=1 once the workers are up,
# STATUS= lines, WATCHDOG=1 at half of WATCHDOG_USEC, STOPPING=1 last; on
# SIGTERM, EXTEND_TIMEOUT_USEC covering stop_timeout; nothing at all, and
# no error, without NOTIFY_SOCKET.
. "$SRCDIR/tests/integration/lib.inc"

command -v python3 >/dev/null || skip "python3 missing"
cat >listen.py <<'PY'
import socket, sys, time
addr, out, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
open(out + ".ready", "w").close()
s.settimeout(0.2)
t0 = time.time()
with open(out, "w") as f:
    while time.time() - t0 < secs:
        try:
            d = s.recv(4096).decode()
        except socket.timeout:
            continue
        for kv in d.split("\n"):
            f.write("%.3f %s\n" % (time.time() - t0, kv))
        f.flush()
        if "STOPPING=1" in d.split("\n"):
            break
PY
listen() {	# listen ADDR OUT SECONDS: in the background, once bound
	rm -f "$2" "$2.ready"
	python3 listen.py "$1" "$2" "$3" &
	track $!
	lpid=$!
	for _ in $(seq 50); do [ -e "$2.ready" ] && return; sleep 0.1; done
	die "the listener did not start"
}
awk 'BEGIN { for (i = 0; i < 20000; i++) print "line " i }' >in

# A whole run with the watchdog on: every 0.2 s asked, so pings at 0.1 s.
name="@chunkvisor-test-$$"
listen "$name" got 20
NOTIFY_SOCKET=$name WATCHDOG_USEC=200000 cv run -q -i in -o out -j 2 -c 1K \
    --set "workers.program=faulty -f slow:20"
reap $lpid
grep -q 'READY=1' got && ok "abstract socket: READY=1" ||
    bad "abstract socket: no READY=1: $(head -n 3 got)"
grep -q 'STATUS=.*chunks done' got && ok "abstract socket: STATUS= lines" ||
    bad "abstract socket: no STATUS= progress line"
pings=$(grep -c 'WATCHDOG=1' got)
secs=$(awk '/WATCHDOG=1/ { if (!a) a = $1; b = $1 } END { print b - a }' got)
# About one ping per 0.1 s of the run; allow for a loaded machine.
awk -v n="$pings" -v s="$secs" 'BEGIN { exit !(n >= 5 && n >= s / 0.1 / 3) }' &&
    ok "abstract socket: $pings WATCHDOG=1 over ${secs}s" ||
    bad "abstract socket: $pings WATCHDOG=1 over ${secs}s; expected one per 0.1 s"
order=$(awk '{ print $2 }' got | grep -n -e '^READY=1$' -e '^STOPPING=1$' |
    cut -d: -f2 | tr '\n' ' ')
[ "$order" = "READY=1 STOPPING=1 " ] && [ "$(tail -n 1 got | cut -d' ' -f2)" = STOPPING=1 ] &&
    ok "abstract socket: READY=1, then STOPPING=1 last" ||
    bad "abstract socket: order '$order', last $(tail -n 1 got)"
[ "$cv_rc" = 0 ] && cmp -s out "$(tr a-z A-Z <in >ref; echo ref)" &&
    ok "abstract socket: the job's output is right" ||
    bad "abstract socket: exit $cv_rc or wrong output"

# A path socket, SIGTERM during the run: the drain asks for more time.
listen "$PWD/notify.sock" got2 30
NOTIFY_SOCKET=$PWD/notify.sock cv_bg run -q -i in -o out2 -j 2 -c 1K \
    --set workers.stop_timeout=3s --set "workers.program=faulty -f slow:200"
m=$cv_pid
sleep 1
kill -TERM "$m"
cv_wait "$m" 20
reap $lpid
grep -q '^[0-9.]* EXTEND_TIMEOUT_USEC=8000000$' got2 &&
    ok "path socket, SIGTERM: EXTEND_TIMEOUT_USEC=8000000 (stop_timeout + 5 s)" ||
    bad "path socket, SIGTERM: no EXTEND_TIMEOUT_USEC=8000000: $(grep EXTEND got2)"
[ "$(tail -n 1 got2 | cut -d' ' -f2)" = STOPPING=1 ] && [ "$cv_rc" = 75 ] &&
    ok "path socket, SIGTERM: STOPPING=1 last, exit 75" ||
    bad "path socket, SIGTERM: exit $cv_rc, last $(tail -n 1 got2)"

# SIGHUP with a new worker count: RELOADING=1 with MONOTONIC_USEC, then
# READY=1 again; the pool has the new size within a second; the output is
# the same. (reload.sh checks the rest of reloading.)
printf '[job]\ninput = in\noutput = out4\nchunk_size = 1K\n[workers]\ncount = 2\nprogram = faulty -f slow:40\n' >hup.ini
listen "@chunkvisor-test-hup-$$" got3 40
NOTIFY_SOCKET="@chunkvisor-test-hup-$$" WATCHDOG_USEC=1000000 \
    cv_bg run -q hup.ini
m=$cv_pid
wait_procs "$m" 2 >/dev/null
sleep 0.5
sed -i 's/^count = 2$/count = 4/' hup.ini
kill -HUP "$m"
sleep 1
n=$(children "$m" | wc -l)
[ "$n" = 4 ] && ok "SIGHUP, count 2 -> 4: 4 workers a second later" ||
    bad "SIGHUP, count 2 -> 4: $n workers a second later"
cv_wait "$m" 60
reap $lpid
seq=$(awk '{ sub(/=.*/, "", $2); print $2 }' got3 |
    grep -x -e READY -e RELOADING -e STOPPING | tr '\n' ' ')
[ "$seq" = "READY RELOADING READY STOPPING " ] &&
    ok "SIGHUP: READY, RELOADING, READY, STOPPING in that order" ||
    bad "SIGHUP: notifications in the order $seq"
us=$(sed -n 's/^[0-9.]* MONOTONIC_USEC=//p' got3)
python3 -c 'import sys, time
u = int(sys.argv[1]); n = time.clock_gettime(time.CLOCK_MONOTONIC) * 1e6
sys.exit(not 0 < u <= n < u + 60e6)' "${us:-0}" &&
    ok "RELOADING=1 came with MONOTONIC_USEC=$us" ||
    bad "MONOTONIC_USEC '$us' is not CLOCK_MONOTONIC of the last minute"
grep -q 'WATCHDOG=1' got3 && grep -q 'STATUS=' got3 &&
    ok "SIGHUP run: STATUS and WATCHDOG as well" ||
    bad "SIGHUP run: no STATUS or WATCHDOG"
[ "$cv_rc" = 0 ] && cmp -s out4 ref && ok "SIGHUP run: output right" ||
    bad "SIGHUP run: exit $cv_rc or wrong output"

# No NOTIFY_SOCKET: nothing to say, nothing on stderr.
cv run -q -i in -o out3 -j 2 -c 64K -- tr a-z A-Z 2>err
[ "$cv_rc" = 0 ] && [ ! -s err ] && ok "no NOTIFY_SOCKET: quiet" ||
    bad "no NOTIFY_SOCKET: exit $cv_rc, stderr $(head -c 200 err)"
finish
