# signals.sh: SIGTERM and SIGINT to the master. In-flight chunks get up to
# workers.stop_timeout to finish, then the master exits 75; it does so within
# stop_timeout + 1 s even when the chunks never finish, and sooner when
# they do. A file output is not created (only the journal and the partial
# output that --resume takes up stay in its directory); a stdout output holds a prefix of the full output;
# no worker or worker child remains.
. "$SRCDIR/tests/integration/lib.inc"

awk 'BEGIN { for (i = 0; i < 20000; i++) printf "%d some text\n", i }' >in
tr a-z A-Z <in >ref
mkdir outdir

# interrupt DESC SIG WANT_PROCS MIN MAX OUTPUT ARGS...: start a job, wait
# until WANT_PROCS processes of its master exist, send SIG, and expect exit
# 75 between MIN and MAX seconds later. With OUTPUT -, at least $min_out
# bytes of output are expected (default 0).
interrupt() {
	_d=$1 _sig=$2 _want=$3 _min=$4 _max=$5 _out=$6
	shift 6
	rm -f outdir/out stdout
	cv_bg run -q -o "$_out" "$@" >stdout 2>err
	m=$cv_pid
	_procs=$(wait_procs "$m" "$_want")
	if [ "$_procs" -lt "$_want" ]; then
		bad "$_d: the job did not get going ($_procs processes)"
		head -n 5 err
	fi
	start=$(now)
	kill -"$_sig" "$m"
	cv_wait "$m" 30
	took=$(since "$start")
	if [ "$cv_rc" = 75 ] && awk -v t="$took" -v a="$_min" -v b="$_max" \
	    'BEGIN { exit !(t >= a && t <= b) }'; then
		ok "$_d: exit 75 ${took}s after SIG$_sig (allowed $_min..$_max s)"
	else
		bad "$_d: exit $cv_rc ${took}s after SIG$_sig; expected 75 \
within $_min..$_max s"
		head -n 5 err
	fi
	if wait_no_env_pids "$m" 1; then
		ok "$_d: no process of master $m remains"
	else
		bad "$_d: processes of master $m remain: $(env_pids "$m" | \
		    tr '\n' ' ')"
	fi
	if [ "$_out" = - ]; then
		_len=$(wc -c <stdout | tr -d ' ')
		if [ "$_len" -lt "${min_out:-0}" ]; then
			bad "$_d: only $_len bytes on stdout; the chunks in \
flight at the signal make at least $min_out"
		elif head -c "$_len" ref | cmp -s - stdout; then
			ok "$_d: stdout holds a prefix of the full output \
($_len of $(wc -c <ref | tr -d ' ') bytes)"
		else
			bad "$_d: stdout is not a prefix of the full output \
($(head -c "$_len" ref | cmp - stdout 2>&1 | head -n 1))"
		fi
	else
		# Only what --resume needs stays (see resume_signals.sh).
		_left=$(ls -A outdir | grep -v -x -e out.journal \
		    -e out.spool -e .out.chunkvisor-partial)
		if [ -z "$_left" ] && [ ! -e outdir/out ]; then
			ok "$_d: no output file; only the journal's files"
		else
			bad "$_d: left in the output directory: $_left"
		fi
		rm -f outdir/* outdir/.[!.]*
	fi
}

# Chunks that never finish: the stop timeout decides.
interrupt "SIGTERM, hung chunks, stop_timeout=2s" TERM 6 1.5 3 outdir/out \
    -i in -j 2 -c 4K --set workers.stop_timeout=2s -- sh -c 'sleep 60; cat'
interrupt "SIGINT, hung chunks, stop_timeout=1s" INT 6 0.5 2 outdir/out \
    -i in -j 2 -c 4K --set workers.stop_timeout=1s -- sh -c 'sleep 60; cat'
interrupt "SIGTERM, hung program=mean chunks, stop_timeout=1s" TERM 2 0.5 2 \
    outdir/out -j 2 --set workers.stop_timeout=1s \
    --set workers.program=mean --split range \
    --range 0..100000000000000 -c 10000000000000 --set job.reduce=sum
interrupt "SIGTERM, stop_timeout=0" TERM 6 0 1 outdir/out \
    -i in -j 2 -c 4K --set workers.stop_timeout=0 -- sh -c 'sleep 60; cat'

# Chunks that finish quickly: no need to wait for the stop timeout.
interrupt "SIGTERM, quick chunks, default stop_timeout (10s)" TERM 2 0 2 \
    outdir/out -i in -j 2 -c 1K -- sh -c 'sleep 0.05; tr a-z A-Z'
interrupt "SIGTERM, quick chunks, output to stdout" TERM 2 0 2 - \
    -i in -j 2 -c 1K -- sh -c 'sleep 0.05; tr a-z A-Z'
interrupt "SIGINT, quick chunks, output to stdout" INT 2 0 2 - \
    -i in -j 3 -c 512 -- sh -c 'sleep 0.02; tr a-z A-Z'

# Chunks in flight at the signal finish 1 s later, well within the stop
# timeout: they are delivered (chunk 0 alone is 1K), then exit 75.
min_out=1024
interrupt "SIGTERM, in-flight chunks finish and are delivered" TERM 6 0.3 3 - \
    -i in -j 2 -c 1K --set workers.stop_timeout=5s \
    -- sh -c 'sleep 1; tr a-z A-Z'
min_out=0

finish
