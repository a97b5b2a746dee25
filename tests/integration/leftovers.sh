# leftovers.sh: nothing outlives a job. After normal runs, failing runs and
# runs whose master is SIGKILLed mid-job, within 1 s no process remains
# whose environment has CHUNKVISOR_MASTER_PID=<that master's pid> (workers,
# the commands they run, and the commands' own children, such as a sleep
# started in the background or the foreground); /dev/shm has no new entry;
# and normal and failing runs leave no temporary output file.
. "$SRCDIR/tests/integration/lib.inc"

shm_list >shm.before
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "%d some text\n", i }' >in
tr a-z A-Z <in >ref
mkdir outdir

# gone DESC MASTER: no process of MASTER within 1 s.
gone() {
	if wait_no_env_pids "$2" 1; then
		ok "$1: no process of master $2 remains"
	else
		bad "$1: 1 s after the end, processes of master $2 remain:"
		for p in $(env_pids "$2"); do
			ps -o pid=,ppid=,pgid=,stat=,args= -p "$p" | sed 's/^/    /'
		done
	fi
}

# no_temp DESC: no temporary output file in outdir.
no_temp() {
	left=$(ls -A outdir | grep chunkvisor)
	if [ -z "$left" ]; then
		ok "$1: no temporary output file left"
	else
		bad "$1: temporary output left: $left"
	fi
}

# normal DESC ARGS...: a run expected to succeed, its output checked.
normal() {
	_d=$1
	shift
	rm -f outdir/out
	cv_bg run -q -i in -o outdir/out "$@" >/dev/null 2>err
	m=$cv_pid
	cv_wait "$m" 60
	if [ "$cv_rc" = 0 ] && cmp -s ref outdir/out; then
		ok "$_d: exit 0, output identical to tr a-z A-Z"
	else
		bad "$_d: exit $cv_rc, $(cmp ref outdir/out 2>&1 | head -n 1)"
		head -n 5 err
	fi
	gone "$_d" "$m"
	no_temp "$_d"
}

normal "tr" -j 2 -c 4K -- tr a-z A-Z
normal "program=upper" -j 3 -c 1K --set workers.program=upper
normal "a command leaving a background sleep" -j 2 -c 16K -- \
    sh -c 'sleep 300 </dev/null >/dev/null 2>&1 & tr a-z A-Z'
# The background child keeps the command's stdout open: the chunk still
# ends when the command exits.
start=$(now)
normal "a background sleep holding stdout open" -j 2 -c 64K -- \
    sh -c 'sleep 300 & tr a-z A-Z'
took=$(since "$start")
awk -v t="$took" 'BEGIN { exit !(t < 10) }' &&
    ok "a background sleep holding stdout open: done in ${took}s" ||
    bad "a background sleep holding stdout open: took ${took}s"

# A failing run: every chunk fails, with a child left in the background.
rm -f outdir/out
cv_bg run -q -i in -o outdir/out -j 2 -c 16K -- \
    sh -c 'sleep 300 </dev/null >/dev/null 2>&1 & cat >/dev/null; exit 3' \
    >/dev/null 2>err
m=$cv_pid
cv_wait "$m" 60
if [ "$cv_rc" = 1 ]; then
	ok "failing command: exit 1"
else
	bad "failing command: exit $cv_rc, expected 1"
	head -n 5 err
fi
if [ -e outdir/out ]; then
	bad "failing command: output file created"
else
	ok "failing command: no output file"
fi
gone "failing command" "$m"
# Every attempt failing stops the job as failing on everything.
if grep -q 'fail on everything' err; then
	ok "failing command: stopped as failing on everything"
else
	bad "failing command: no 'fail on everything' message: $(head -n 3 err)"
fi
rm -f outdir/out.quarantine	# records quarantined before the stop, if any
no_temp "failing command"

# A worker that cannot start (exit 69) leaves nothing either.
cv_bg run -q -i in -o outdir/out -j 2 -- /nonexistent/command >/dev/null 2>err
m=$cv_pid
cv_wait "$m" 30
[ "$cv_rc" = 69 ] && ok "missing command: exit 69" ||
    bad "missing command: exit $cv_rc, expected 69"
gone "missing command" "$m"
no_temp "missing command"

# killed DESC WANT ARGS...: start a job, wait until at least WANT processes
# of its master exist (workers and their children), SIGKILL the master.
killed() {
	_d=$1 _want=$2
	shift 2
	cv_bg run -q -o outdir/out "$@" >/dev/null 2>err
	m=$cv_pid
	_procs=$(wait_procs "$m" "$_want")
	if [ "$_procs" -lt "$_want" ]; then
		bad "$_d: only $_procs processes of master $m after 10 s \
(expected $_want)"
		head -n 5 err
	fi
	sleep 0.2
	kill -KILL "$m"
	reap "$m" 2>/dev/null
	say "$_d: SIGKILLed master $m with $_procs processes of its own"
	gone "$_d" "$m"
	# The output appears only when complete: nothing of it yet; what
	# stays is what --resume takes up (the journal, its spool, the
	# partial output), nothing else.
	_left=$(ls -A outdir | grep -v -x -e out.journal -e out.spool \
	    -e .out.chunkvisor-partial)
	if [ -z "$_left" ] && [ ! -e outdir/out ]; then
		ok "$_d: no output file; only the journal's files: \
$(ls -A outdir | tr '\n' ' ')"
	else
		bad "$_d: left in the output directory: $_left"
	fi
	rm -f outdir/* outdir/.[!.]*
}

killed "master killed, command with a foreground child" 6 -i in -j 2 -c 4K \
    -- sh -c 'sleep 300; cat'
killed "master killed, command with a background child" 6 -i in -j 2 -c 4K \
    -- sh -c 'sleep 300 </dev/null >/dev/null 2>&1 & cat; sleep 300'
killed "master killed, stdin input" 6 -j 2 -c 4K \
    -- sh -c 'sleep 300; cat' <in
killed "master killed, program=mean mid-chunk" 2 \
    "$SRCDIR/conf/mean.ini" -j 2 --range 0..100000000000000 \
    -c 10000000000000

# A master killed while its workers are being restarted after crashes.
killed "master killed, crashing command" 2 -i in -j 2 -c 4K \
    --set workers.max_attempts=1000 -- sh -c 'kill -SEGV $$'

shm_list >shm.after
if cmp -s shm.before shm.after; then
	ok "/dev/shm unchanged ($(wc -l <shm.after | tr -d ' ') entries)"
else
	bad "/dev/shm has new entries: $(comm -13 shm.before shm.after | \
	    tr '\n' ' ')"
fi

finish
