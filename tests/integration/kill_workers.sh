# kill_workers.sh: the acceptance test. While a job runs, a killer loop
# SIGKILLs a random worker of the master (one of its direct children, whose
# environment names that master) every 50 ms. The job must still exit 0 with
# output byte-identical to `tr a-z A-Z` of the input, and leave no worker
# behind. Three runs: the exec adapter with tr at -j 2, the upper program at
# -j 2 with small chunks, and tr at -j 4.
#
# Restart intensity (max_restarts in restart_window) is raised for these
# runs: the kills are deliberate, and the job may not end with 69 because a
# slow machine let the killer deliver more than 100.
. "$SRCDIR/tests/integration/lib.inc"

awk 'BEGIN { for (i = 0; i < 600000; i++)
	printf "%d the quick brown fox jumps over the lazy dog %x\n", i, i * 7919 }' \
    >in
tr a-z A-Z <in >ref
say "input: $(wc -c <in | tr -d ' ') bytes, $(wc -l <in | tr -d ' ') lines"

MAX_KILLS=200

# killer MASTER LOG: every 50 ms, SIGKILL one random current worker of
# MASTER, one line per delivered kill in LOG; stops when MASTER exits (or
# after 60 s, or MAX_KILLS kills).
killer() {
	_m=$1 _log=$2 _i=0
	: >"$_log"
	while alive "$_m" && [ $_i -lt 1200 ]; do
		_i=$((_i + 1))
		set -- $(children "$_m")
		if [ $# -gt 0 ]; then
			_k=$(($(rand $#) + 1))
			eval "_p=\${$_k}"
			if grep -q -a -z -x "CHUNKVISOR_MASTER_PID=$_m" \
			    "/proc/$_p/environ" 2>/dev/null &&
			    kill -KILL "$_p" 2>/dev/null; then
				echo "$_p" >>"$_log"
				[ "$(wc -l <"$_log")" -ge $MAX_KILLS ] && break
			fi
		fi
		sleep 0.05
	done
}

# run DESC ARGS...: one job under the killer.
run() {
	_desc=$1
	shift
	rm -f out
	start=$(now)
	cv_bg run -q -i in -o out --set workers.max_restarts=100000 "$@" \
	    >stdout 2>err
	master=$cv_pid
	killer "$master" kills &
	kpid=$!
	track "$kpid"
	cv_wait "$master" 120
	reap "$kpid"
	took=$(since "$start")
	nk=$(wc -l <kills | tr -d ' ')
	if [ "$cv_rc" != 0 ]; then
		bad "$_desc: exit status $cv_rc, expected 0 ($nk kills, ${took}s)"
		head -n 5 err
	elif ! cmp -s ref out; then
		bad "$_desc: output differs from tr a-z A-Z after $nk kills: \
$(cmp ref out 2>&1 | head -n 1)"
	else
		ok "$_desc: exit 0, output identical to tr a-z A-Z after $nk \
worker kills in ${took}s"
	fi
	if [ "$nk" -ge 5 ]; then
		ok "$_desc: $nk kills delivered (at least 5 required)"
	else
		bad "$_desc: only $nk kills delivered: the job ended too fast \
to test anything (${took}s)"
	fi
	if wait_no_env_pids "$master" 1; then
		ok "$_desc: no process of master $master left after it exited"
	else
		bad "$_desc: processes of master $master still there 1 s after \
it exited: $(env_pids "$master" | tr '\n' ' ')"
	fi
}

run "tr -j 2 -c 8K" -j 2 -c 8K -- tr a-z A-Z
run "program=upper -j 2 -c 256" -j 2 -c 256 --set workers.program=upper
run "tr -j 4 -c 8K" -j 4 -c 8K -- tr a-z A-Z

finish
