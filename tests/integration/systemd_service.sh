# systemd_service.sh: the shipped unit conf/chunkvisor@.service through its
# life under a real systemd (PID 1 of a throwaway container, made by
# ../shared/tools/with-systemd; skipped where that cannot run). The unit is
# installed as it ships, but for ExecStart pointing at the build's
# chunkvisor; the job /etc/chunkvisor/cvtest.ini upper-cases a file under
# /srv with two slow workers, so that it takes several seconds.
#   start     returns once the job runs (READY=1); active; STATUS= progress
#   reload    SIGHUP: still active, the same master
#   a killed master (SIGKILL): restarted by Restart=on-failure, resuming;
#             the journal and no output meanwhile, no process left behind
#   stop      drains: within TimeoutStopSec, exit 75, inactive, not failed;
#             the journal is kept and there is no output
#   start     resumes and runs to the end: inactive, exit 0, the output is
#             that of tr a-z A-Z, the journal is gone; the attempt log, a
#             relative path, is in the state directory; the first chunk
#             was done once in all (by the first run)
# On a failure, the unit's journal (journalctl) and status come back into
# the test's directory and are shown.
. "$SRCDIR/tests/integration/lib.inc"

WITH_SYSTEMD_TOOL=$SRCDIR/../shared/tools/with-systemd
[ -x "$WITH_SYSTEMD_TOOL" ] || skip "no $WITH_SYSTEMD_TOOL"

cat >inner.sh <<'INNER'
# Runs inside the container, as root, in the test's directory (bound).
exec 2>&1
. "$SRCDIR/tests/integration/lib.inc"
TESTNAME="systemd_service (in systemd)"
u=chunkvisor@cvtest.service
data=/srv/cvtest
state=/var/lib/chunkvisor/cvtest
exits=/run/chunkvisor-cvtest.exits	# a line for each end of the master
CV_TIMEOUT_STOP=30	# TimeoutStopSec= of the shipped unit

prop() { systemctl show -P "$1" "$u"; }
# Polls until property $1 of the unit is $2, at most $3 seconds.
wait_prop() {
	_n=$(($3 * 10))
	while [ "$(prop "$1")" != "$2" ]; do
		[ "$_n" -le 0 ] && return 1
		_n=$((_n - 1))
		sleep 0.1
	done
}
# Polls until the STATUS= text shows progress, at most 5 s; prints it.
wait_status() {
	for _ in $(seq 50); do
		_s=$(prop StatusText)
		case $_s in *"chunks done"*) echo "$_s"; return 0 ;; esac
		sleep 0.1
	done
	echo "$_s"
	return 1
}
# How the master last ended: "RESULT CODE STATUS", e.g. "success exited 75".
last_exit() { tail -n 1 "$exits" 2>/dev/null; }
# The state of the unit, for messages (of little use once it is inactive:
# an inactive unit is unloaded and forgotten).
states() {
	echo "$(prop ActiveState)/$(prop SubState), result $(prop Result)"
}
# The unit's journal and status into the test's directory.
diagnostics() {
	journalctl -u "$u" --no-pager -o short-monotonic >journal.txt 2>&1
	systemctl status "$u" --no-pager --lines=0 >status.txt 2>&1
}
fatal() { bad "$*"; diagnostics; exit 1; }

# Install the unit as it ships, ExecStart aside.
mkdir -p /etc/systemd/system /etc/chunkvisor "$data"
sed "s|/usr/local/bin/chunkvisor|$CV|g" "$SRCDIR/conf/chunkvisor@.service" \
    >/etc/systemd/system/chunkvisor@.service
changed=$(diff "$SRCDIR/conf/chunkvisor@.service" \
    /etc/systemd/system/chunkvisor@.service | grep -c '^>')
[ "$changed" = 1 ] && grep -q "^ExecStart=$CV run " \
    /etc/systemd/system/chunkvisor@.service ||
    fatal "installing the unit changed $changed lines, not ExecStart alone"
# A drop-in for the test alone: each end of the master is recorded
# ($SERVICE_RESULT, $EXIT_CODE, $EXIT_STATUS), as an inactive unit is soon
# unloaded and `systemctl show` then knows nothing of its last exit. Under
# SANITIZE=1 the service gets the sanitizers' options, as the tests do.
mkdir -p "/etc/systemd/system/$u.d"
cat >"/etc/systemd/system/$u.d/test.conf" <<EOF
[Service]
ExecStopPost=/bin/sh -c 'echo "\$\$SERVICE_RESULT \$\$EXIT_CODE \$\$EXIT_STATUS" >>$exits'
EOF
for v in ASAN_OPTIONS UBSAN_OPTIONS; do
	val=$(printenv "$v")
	[ -n "$val" ] && printf 'Environment="%s=%s"\n' "$v" \
	    "$(printf %s "$val" | sed 's/%/%%/g')" \
	    >>"/etc/systemd/system/$u.d/test.conf"
done
systemctl daemon-reload || fatal "systemctl daemon-reload failed"

# About 300 chunks of 3K; two workers, each 50 ms a chunk: some 8 s.
awk 'BEGIN { for (i = 0; i < 30000; i++)
    printf "line %d of the test input\n", i }' >"$data/in"
tr a-z A-Z <"$data/in" >ref
cat >/etc/chunkvisor/cvtest.ini <<EOF
[job]
input      = $data/in
output     = $data/out
split      = lines
chunk_size = 3K

[workers]
count   = 2
command = sh -c "sleep 0.05; tr a-z A-Z | tee -a $data/seen"

[state]
attempt_log = attempts.log
EOF

# The first start.
t=$(now)
timeout 60 systemctl start "$u"
rc=$?
took=$(since "$t")
[ "$rc" = 0 ] && [ "$(prop ActiveState)" = active ] ||
    fatal "start: systemctl exit $rc after ${took}s; $(states); \
ended '$(last_exit)'"
ok "start: returned after ${took}s (READY=1), active"
pid=$(prop MainPID)
env=$(tr '\0' '\n' <"/proc/$pid/environ")
echo "$env" | grep -q '^NOTIFY_SOCKET=.' &&
    echo "$env" | grep -q '^WATCHDOG_USEC=[1-9]' &&
    ok "start: the master has NOTIFY_SOCKET and $(echo "$env" |
	grep '^WATCHDOG_USEC=')" ||
    bad "start: the master lacks NOTIFY_SOCKET or WATCHDOG_USEC"
s=$(wait_status) && ok "start: STATUS= progress: $s" ||
    bad "start: no progress in StatusText: '$s'"

# Reload: SIGHUP to the master, which goes on.
systemctl reload "$u"
rc=$?
sleep 0.5
[ "$rc" = 0 ] && [ "$(prop ActiveState)" = active ] &&
    [ "$(prop MainPID)" = "$pid" ] &&
    ok "reload: still active, the same master ($pid)" ||
    bad "reload: systemctl exit $rc; master $(prop MainPID), was $pid; \
$(states)"

# A killed master: its workers go, the journal stays, and the unit is
# restarted (RestartSec=) and resumes.
cg=/sys/fs/cgroup$(prop ControlGroup)
systemctl kill --kill-who=main -s KILL "$u" ||
    fatal "systemctl kill failed"
wait_prop SubState auto-restart 10 ||
    fatal "killed master: not waiting to restart: $(states)"
left=$(cat "$cg/cgroup.procs" 2>/dev/null | tr '\n' ' ')
[ -z "$left" ] && ok "killed master: waiting to restart, no process left" ||
    bad "killed master: processes left in $cg: $left"
[ "$(last_exit)" = "signal killed KILL" ] &&
    ok "killed master: systemd saw it killed (SIGKILL)" ||
    bad "killed master: ended '$(last_exit)', not 'signal killed KILL'"
[ -s "$data/out.journal" ] && [ ! -e "$data/out" ] &&
    ok "killed master: the journal is there, the output is not" ||
    bad "killed master: journal/output: $(ls "$data" | tr '\n' ' ')"
wait_prop ActiveState active 25 && [ "$(prop NRestarts)" = 1 ] ||
    fatal "killed master: not restarted: $(states), $(prop NRestarts) \
restarts"
pid=$(prop MainPID)
ok "killed master: restarted ($(prop NRestarts) restart), master $pid"
s=$(wait_status) && ok "restarted: STATUS= progress: $s" ||
    bad "restarted: no progress in StatusText: '$s'"

# Stop: the master drains and exits 75, which is no failure.
t=$(now)
timeout 60 systemctl stop "$u"
rc=$?
took=$(since "$t")
awk -v t="$took" -v m="$CV_TIMEOUT_STOP" 'BEGIN { exit !(t < m) }' &&
    [ "$rc" = 0 ] && ok "stop: took ${took}s (TimeoutStopSec ${CV_TIMEOUT_STOP}s)" ||
    bad "stop: systemctl exit $rc after ${took}s"
[ "$(last_exit)" = "success exited 75" ] &&
    [ "$(prop ActiveState)" = inactive ] &&
    ok "stop: exit 75, a success: inactive, not failed" ||
    bad "stop: ended '$(last_exit)', now $(states); expected \
'success exited 75' and inactive"
[ -s "$data/out.journal" ] && [ ! -e "$data/out" ] &&
    ok "stop: the journal is there, the output is not" ||
    bad "stop: journal/output: $(ls "$data" | tr '\n' ' ')"

# The next start resumes and runs to the end.
timeout 60 systemctl start "$u"
rc=$?
[ "$rc" = 0 ] || fatal "second start: systemctl exit $rc; $(states); \
ended '$(last_exit)'"
t=$(now)
wait_prop ActiveState inactive 45 ||
    fatal "second start: still $(states) after $(since "$t")s"
[ "$(last_exit)" = "success exited 0" ] &&
    ok "second start: ran to the end $(since "$t")s later: exit 0, inactive" ||
    bad "second start: ended '$(last_exit)', now $(states); expected \
'success exited 0'"
cmp -s ref "$data/out" &&
    ok "second start: the output is that of tr a-z A-Z" ||
    bad "second start: wrong output: $(cmp ref "$data/out" 2>&1)"
[ ! -e "$data/out.journal" ] && ok "second start: the journal is gone" ||
    bad "second start: the journal is left: $(ls "$data" | tr '\n' ' ')"
[ -s "$state/attempts.log" ] &&
    ok "second start: the attempt log is in the state directory $state" ||
    bad "second start: no attempt log in $state: $(ls "$state" 2>&1)"
# The workers copied all they did to $data/seen. Chunk 0, done long before
# the kill, was done once: neither the restart nor the second start did it
# again. (Run from the start, each of the three runs would have.)
n0=$(grep -cx 'LINE 0 OF THE TEST INPUT' "$data/seen")
n=$(wc -l <"$data/seen")
[ "$n0" = 1 ] &&
    ok "resumed: chunk 0 done once in three runs ($n lines done for 30000)" ||
    bad "not resumed: chunk 0 done $n0 times in three runs ($n lines done \
for 30000)"

[ "$failures" = 0 ] || diagnostics
finish
INNER

rm -f journal.txt status.txt
timeout -k 20 150 "$WITH_SYSTEMD_TOOL" -b "$SRCDIR" -- sh inner.sh 2>tool.err
rc=$?
case $rc in
0)	ok "the unit's life under systemd" ;;
77)	skip "$(tail -n 1 tool.err)" ;;
70)	bad "with-systemd: the container did not boot:"
	cat tool.err ;;
*)	bad "under systemd: exit $rc" ;;
esac
if [ -s journal.txt ]; then
	say "systemctl status:"
	sed 's/^/    /' status.txt
	say "journalctl -u chunkvisor@cvtest:"
	sed 's/^/    /' journal.txt
fi
[ -s tool.err ] && [ "$rc" != 70 ] && { say "with-systemd:"; cat tool.err; }
finish
