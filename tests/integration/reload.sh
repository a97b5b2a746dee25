# reload.sh: SIGHUP reads the job file again. The worker count grows and
# shrinks live (the master's children follow within a second, the output
# stays identical to tr's, and a worker stopped because the pool shrank
# costs its chunk no attempt: max_attempts = 1 with on_poison = fail would
# stop the job otherwise); a new chunk_timeout applies to chunks already
# running; a change that cannot apply live is reported and ignored; a job
# file with an error is reported with FILE:LINE and the job goes on.
. "$SRCDIR/tests/integration/lib.inc"

awk 'BEGIN { for (i = 0; i < 4000; i++) printf "%d reloading line\n", i }' >in
tr a-z A-Z <in >ref

# job COUNT MS: the job file, with COUNT workers taking MS per chunk.
job() {
	cat >job.ini <<EOF
[job]
input = in
output = out
chunk_size = 1K
[workers]
count = $1
program = faulty -f slow:$2
max_attempts = 1
[failure]
bisect = no
on_poison = fail
EOF
}

# workers_after MASTER N: the number of MASTER's workers once it has N, or
# what it has after 1 s.
workers_after() {
	for _ in $(seq 20); do
		[ "$(children "$1" | wc -l)" = "$2" ] && break
		sleep 0.05
	done
	children "$1" | wc -l
}

job 2 300
cv_bg run -q job.ini 2>err
m=$cv_pid
wait_procs "$m" 2 >/dev/null
for step in 5 1 3; do
	sed -i "s/^count = .*/count = $step/" job.ini
	kill -HUP "$m"
	n=$(workers_after "$m" "$step")
	[ "$n" = "$step" ] && ok "count -> $step: $n workers within a second" ||
	    bad "count -> $step: $n workers after a second"
done

# Not live: reported, ignored.
sed -i 's/^chunk_size = 1K/chunk_size = 2K/' job.ini
kill -HUP "$m"
sleep 0.3
grep -q "job.chunk_size changed ('1K' to '2K').*ignored" err &&
    ok "chunk_size: reported as not live, ignored" ||
    bad "chunk_size: no message: $(tail -n 2 err)"

# An error: FILE:LINE, the running configuration stays.
printf 'count = 9\n' >>job.ini
kill -HUP "$m"
sleep 0.3
grep -q '^job.ini:[0-9]*: .*count' err && grep -q 'configuration stays' err &&
    ok "bad job file: $(grep '^job.ini:' err | tail -n 1)" ||
    bad "bad job file: $(tail -n 2 err)"
[ "$(children "$m" | wc -l)" = 3 ] && ok "bad job file: still 3 workers" ||
    bad "bad job file: $(children "$m" | wc -l) workers"

# Back to a good file, faster chunks: the job finishes right.
job 2 5
kill -HUP "$m"
cv_wait "$m" 120
[ "$cv_rc" = 0 ] && cmp -s out ref &&
    ok "exit 0, output identical to tr's, no attempt charged by retiring" ||
    bad "exit $cv_rc, $(cmp out ref 2>&1): $(tail -n 3 err)"

# chunk_timeout from none to 1s: a chunk that hangs is stopped.
rm -f out out.journal
cat >hang.ini <<EOF
[job]
input = in
output = out
chunk_size = 64K
[workers]
count = 1
program = faulty -f hang,attempts=1
EOF
cv_bg run -q hang.ini 2>err
m=$cv_pid
sleep 1
printf 'chunk_timeout = 1s\n' >>hang.ini
kill -HUP "$m"
cv_wait "$m" 20
[ "$cv_rc" = 0 ] && cmp -s out ref && grep -q 'chunk_timeout' err &&
    ok "chunk_timeout set live: the hung chunk timed out, job done" ||
    bad "chunk_timeout live: exit $cv_rc: $(tail -n 3 err)"

# A SIGHUP while a timed-out worker (deaf to timeout_signal) has its
# timeout_grace must not cancel
# the SIGKILL that ends the grace: the job goes on and ends.
rm -f out out.journal
head -n 50 in >small
printf '#!/bin/sh\ntrap "" USR1\nexec "%s/faulty" -f hang,attempts=1\n' \
    "$WORKERS" >deaf
chmod +x deaf
cv_bg run -q -i small -o out -j 1 --set workers.chunk_timeout=1s \
    --set workers.timeout_signal=USR1 --set workers.timeout_grace=2s \
    --set "workers.program=$PWD/deaf" 2>err
m=$cv_pid
sleep 1.8
kill -HUP "$m"
cv_wait "$m" 15
[ "$cv_rc" = 0 ] && cmp -s out "$(tr a-z A-Z <small >small.ref; echo small.ref)" &&
    ok "SIGHUP during timeout_grace: the SIGKILL still came, job done" ||
    bad "SIGHUP during timeout_grace: exit $cv_rc: $(tail -n 3 err)"

finish
