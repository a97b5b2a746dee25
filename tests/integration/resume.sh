# resume.sh: the journal and --resume. A job SIGKILLed at random moments,
# many times over, and resumed each time ends with output byte-identical to
# an undisturbed run (tr, or chunkvisor's own undisturbed run for reduce),
# and no chunk the journal had committed when its master died is ever run
# again (the faulty worker logs every chunk it starts). Lines, bytes and
# order = any, and a reduce over a range.
. "$SRCDIR/tests/integration/lib.inc"

awk 'BEGIN { srand(5); for (i = 0; i < 30000; i++)
	printf "%d %x some words\n", i, int(rand() * 1e9) }' >in
tr a-z A-Z <in >ref

# The chunk ids of the journal's whole, committed records (W and H), one
# per line: a record counts only with its checksum, as chunkvisor reads it.
committed() {
	[ -f "$1" ] || return 0
	awk '/^[WH] [0-9]+ .* #[0-9a-f]{8}$/ { print $2 }' "$1" | sort -u
}

# killed_resume DESC JOURNAL OUT ARGS...: runs `run ARGS --resume` again and
# again, SIGKILLing the master after a random 30..230 ms, until a run ends on
# its own; then checks no committed chunk ran after its commit.
killed_resume() {
	_d=$1 _j=$2 _o=$3
	shift 3
	rm -f log "$_j" "$_o"
	: >log
	: >violations
	kills=0
	for round in $(seq 60); do
		cv_bg run -q "$@" --resume --set state.sync_interval=100ms \
		    >last.stdout 2>>err
		m=$cv_pid
		sleep "0.$(printf "%03d" $((30 + $(rand 200))))"
		if alive "$m"; then
			kill -KILL "$m"
			cv_wait "$m" 10
			kills=$((kills + 1))
			wait_no_env_pids "$m" 5 || bad "$_d: workers of $m remain"
			# Every later start of these chunks would be a re-run.
			committed "$_j" >done.$kills
			wc -l <log >mark.$kills
			continue
		fi
		cv_wait "$m" 60
		break
	done
	if [ "$cv_rc" != 0 ] && [ "$cv_rc" != 1 ]; then
		bad "$_d: the last run exited $cv_rc after $kills kills"
		tail -n 5 err
		return
	fi
	# Chunks started after kill k that were committed at kill k.
	for k in $(seq "$kills"); do
		tail -n +"$(($(cat mark.$k) + 1))" log | awk '{ print $1 }' |
		    sort -u | comm -12 - done.$k >>violations
	done
	if [ ! -s log ]; then
		ok "$_d: $kills SIGKILLs (chunk starts not logged)"
	elif [ -s violations ]; then
		bad "$_d: chunks run again after their commit: $(sort -un \
		    violations | head -n 10 | tr '\n' ' ')"
	else
		ok "$_d: $kills SIGKILLs, $(wc -l <log) chunk starts, none \
after its commit"
	fi
	[ "$kills" -ge 2 ] || bad "$_d: only $kills kills: the job is too quick"
	[ ! -e "$_j" ] && ok "$_d: journal removed at the end" ||
	    bad "$_d: journal $_j left after success"
}

killed_resume "lines" out.journal out -i in -o out -c 4K -j 3 \
    --set "workers.program=faulty -l $PWD/log -f slow:15"
cmp -s out ref && ok "lines: output identical to tr's" ||
    bad "lines: output differs from tr's"

killed_resume "bytes" out.journal out -i in -o out -c 3000 -j 3 \
    --split bytes --set "workers.program=faulty -l $PWD/log -f slow:15"
cmp -s out ref && ok "bytes: output identical to tr's" ||
    bad "bytes: output differs from tr's"

killed_resume "order = any" out.journal out -i in -o out -c 3000 \
    -j 3 --set job.order=any \
    --set "workers.program=faulty -l $PWD/log -f slow:15"
sort out | cmp -s - "$(sort ref >ref.sorted; echo ref.sorted)" &&
    ok "order = any: the same lines as tr's" ||
    bad "order = any: lines differ from tr's"

# A stream with a journal: the resumed run writes all of it.
killed_resume "stdout" job.journal out -i in -o - -c 4K -j 3 \
    --set state.journal=job.journal \
    --set "workers.program=faulty -l $PWD/log -f slow:15"
cmp -s last.stdout ref && ok "stdout: the last run's output identical to tr's" ||
    bad "stdout: the last run's output differs from tr's"

# Reduce: the faulty worker's row for a range is its length; the mean
# worker's (random numbers from the seed and the chunk) makes a floating
# point sum whose last digits depend on the order of additions: identical
# to an undisturbed run's.
killed_resume "range, reduce = sum" sum.out.journal sum.out \
    --split range --range 0..3000000 -c 20000 -j 3 -o sum.out \
    --set job.reduce=sum --set "workers.program=faulty -l $PWD/log -f slow:30"
[ "$(cat sum.out)" = 3000000 ] && ok "reduce = sum: 3000000" ||
    bad "reduce = sum: $(cat sum.out), expected 3000000"
set -- --split range --range 0..4000000000 -c 40000000 -j 3 \
    --set job.reduce=mean --set 'job.format=%.17g' --set workers.program=mean
cv run -q -o mean.ref "$@"
killed_resume "range, reduce = mean" mean.out.journal mean.out -o mean.out "$@"
cmp -s mean.out mean.ref &&
    ok "reduce = mean: identical to an undisturbed run ($(cat mean.out))" ||
    bad "reduce = mean: $(cat mean.out) vs undisturbed $(cat mean.ref)"
# And right on its own: 4e9 uniform numbers average 0.5 within 1e-4.
awk '{ d = $1 - 0.5; exit !(NR == 1 && d < 1e-4 && d > -1e-4) }' mean.out &&
    ok "reduce = mean: within 1e-4 of 0.5" ||
    bad "reduce = mean: $(cat mean.out) is not the mean of uniform numbers"

finish
