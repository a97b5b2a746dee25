# quiet.sh: stderr of a clean run. With -q a successful run writes nothing
# to stderr; without it, stderr (not a terminal) holds exactly one line, the
# summary. Short jobs with more workers than chunks are the hard case: the
# job may end before every worker has said hello, and nothing a worker
# writes after that may reach the user. stderr is read only once no process
# of the master is left.
. "$SRCDIR/tests/integration/lib.inc"

printf 'one line\n' >one
awk 'BEGIN { for (i = 0; i < 300; i++) print "line", i }' >few

# clean DESC QUIET ARGS...: ten runs; count those with unexpected stderr.
clean() {
	_d=$1 _q=$2
	shift 2
	_noisy=0 _example=""
	for _i in 1 2 3 4 5 6 7 8 9 10; do
		cv_bg run $_q "$@" >out 2>err
		_m=$cv_pid
		cv_wait "$_m" 30
		wait_no_env_pids "$_m" 2
		if [ "$cv_rc" != 0 ]; then
			bad "$_d: exit $cv_rc"
			head -n 3 err
			return
		fi
		if [ -n "$_q" ]; then
			[ -s err ] && { _noisy=$((_noisy + 1))
			    _example=$(head -n 1 err); }
		elif [ "$(wc -l <err)" != 1 ] || ! grep -q chunks err; then
			_noisy=$((_noisy + 1))
			_example=$(grep -v -m 1 'chunks' err || head -n 1 err)
		fi
	done
	if [ $_noisy = 0 ]; then
		ok "$_d: stderr as expected in 10 of 10 runs \
($([ -n "$_q" ] && echo empty || echo 'one summary line'))"
	else
		bad "$_d: unexpected stderr in $_noisy of 10 runs, e.g.: $_example"
	fi
}

clean "-q, 1 line, -j 4, tr" -q -i one -j 4 -- tr a-z A-Z
clean "-q, range 0..10, -j 4, program=mean" -q "$SRCDIR/conf/mean.ini" \
    --range 0..10 -c 3 -j 4
clean "-q, 300 lines, -j 3, program=upper" -q -i few -c 1K -j 3 \
    --set workers.program=upper
clean "no -q, 1 line, -j 4, tr" "" -i one -j 4 -- tr a-z A-Z
clean "no -q, range 0..10, -j 4, program=mean" "" "$SRCDIR/conf/mean.ini" \
    --range 0..10 -c 3 -j 4

finish
