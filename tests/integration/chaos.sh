# chaos.sh: the chaos suite (issue 4, item 8). Many short jobs with the
# fault-injection worker (workers/faulty), on inputs of several shapes
# (short lines, long lines longer than a chunk, CRLF, no final newline,
# mixed bytes: tabs, UTF-8, control characters, empty lines) at 1, 2 and 4
# workers, most under a killer process that sends SIGKILL, SIGSEGV or
# SIGSTOP to a random current worker of the master (a direct child whose
# environment names it) every 5 to 40 ms; a worker it stopped it leaves
# alone, for chunk_timeout (1s) to end. Hangs are injected at random (faulty
# hang, first attempts only), and poison lines: lines holding a marker
# that crashes the worker (by SIGSEGV, SIGABRT or SIGKILL) or fails it (exit,
# map function failure) on every attempt. Every run must:
#   - exit 1 when the input holds poison lines, 0 otherwise;
#   - write output byte-identical to `grep -v -F MARKER | tr a-z A-Z` of
#     the input, with as many lines (no chunk result written twice);
#   - list in the quarantine file exactly the poison lines: line number,
#     byte offset, length and record as grep -n -b finds them;
#   - leave no process whose environment names its master, nothing new in
#     /dev/shm, and no temporary output file.
# More runs inject the other faults (garbage, bad-offset, double-done,
# close, exit, fail, orphan) on first attempts at low probability, with and
# without the killer, and some without chunk_timeout: there each hostile act
# must be seen for what it is, not waited out. Each run prints what it
# survived.
#
# The random choices (inputs, poison positions, faulty's seed, the killer's
# plan) come from one seed, printed first; CHAOS_SEED=N repeats it (but for
# timing), and CHAOS_RUNS="N ..." runs only those runs of it. A failed run
# leaves its input, stderr and kills in $BUILD/test-logs/chaos-runN.*.
#
# Test-only settings: max_restarts is raised (the kills are deliberate),
# max_attempts is 6 so that random kills do not make a healthy line poison,
# and restart_backoff_max is 50ms so that bisecting a poison chunk (a slot
# crashing over and over) does not wait seconds between attempts.
. "$SRCDIR/tests/integration/lib.inc"

SEED=${CHAOS_SEED:-$(rand 1000000)}
MARK=P0ISON
say "seed $SEED (CHAOS_SEED=$SEED repeats these runs), poison marker $MARK"
suite_start=$(now)

# ---------------------------------------------------------------- inputs
# Five base inputs. None holds the marker: their letters are lower case
# (mixed: no P), and the marker has a zero.
awk -v seed="$SEED" 'BEGIN {
	srand(seed)
	cs = "abcdefghijklmnopqrstuvwxyz0123456789 .-_/"
	n = length(cs)
	for (i = 0; i < 5000; i++) {
		l = int(rand() * 25); s = ""
		for (j = 0; j < l; j++) s = s substr(cs, int(rand() * n) + 1, 1)
		print s
	}
}' >base.short
awk -v seed="$SEED" 'BEGIN {
	srand(seed + 1)
	w[0] = "lorem"; w[1] = "ipsum"; w[2] = "dolor"; w[3] = "sit"
	w[4] = "amet"; w[5] = "x9"; w[6] = "consectetur"; w[7] = "q"
	for (i = 0; i < 150; i++) {
		l = rand() < 0.3 ? 2000 + int(rand() * 7000) : 20 + int(rand() * 400)
		s = i ":"
		while (length(s) < l) s = s " " w[int(rand() * 8)]
		print s
	}
}' >base.long
awk -v seed="$SEED" 'BEGIN {
	srand(seed + 2)
	for (i = 0; i < 2500; i++)
		printf "%d crlf line %x %s\r\n", i, int(rand() * 1e6),
		    substr("abcdefghijklmnopqrstuvwxyz", 1, int(rand() * 27))
}' >base.crlf
awk -v seed="$SEED" 'BEGIN {
	srand(seed + 3)
	for (i = 0; i < 2500; i++)
		printf "%s%d no final newline %x", (i ? "\n" : ""), i,
		    int(rand() * 1e6)
}' >base.nonl
awk -v seed="$SEED" 'BEGIN {
	srand(seed + 4)
	p[0] = "\tTab\tseparated\tfields"
	p[1] = "caf\303\251 na\303\257ve \342\202\254"
	p[2] = ""; p[3] = "   "; p[4] = "MiXeD CaSe abc XYZ"; p[5] = "\r"
	p[6] = "trailing space "; p[7] = "\033[1mescape\033[0m"
	p[8] = "\177\001\002 control"; p[9] = "a:b;c,d=e"
	for (i = 0; i < 4000; i++) {
		s = p[int(rand() * 10)]
		if (rand() < 0.5) s = s " " i
		print s
	}
}' >base.mixed
for s in short long crlf nonl mixed; do
	say "input $s: $(wc -c <base.$s | tr -d ' ') bytes, \
$(awk 'END { print NR }' base.$s) lines"
done

# poison SHAPE WHERE...: writes `in`, base.SHAPE with the marker put into
# the lines WHERE says: first, last, rand (a random line), pair (two
# adjacent random lines), block (12 adjacent random lines), longest (the
# longest line), whole (a random line replaced by the marker alone); or
# TEXT@N: TEXT, not the marker, into line N. The marker goes at a random
# place in the line, before a final CR. A missing final newline stays
# missing.
poison() {
	_shape=$1
	shift
	awk -v seed="$SEED$run_no" -v where="$*" -v mark="$MARK" '
	FNR == NR { n = NR; if (length($0) > maxlen) { maxlen = length($0)
		longest = NR }; next }
	FNR == 1 {
		srand(seed)
		k = split(where, w, " ")
		for (i = 1; i <= k; i++) {
			r = 1 + int(rand() * n)
			if (w[i] == "first") hit[1] = 1
			else if (w[i] == "last") hit[n] = 1
			else if (w[i] == "rand") hit[r] = 1
			else if (w[i] == "pair") { r = r < n ? r : n - 1
				hit[r] = hit[r + 1] = 1 }
			else if (w[i] == "block") { r = r < n - 11 ? r : n - 11
				for (j = 0; j < 12; j++) hit[r + j] = 1 }
			else if (w[i] == "longest") hit[longest] = 1
			else if (w[i] == "whole") { hit[r] = 1; whole[r] = 1 }
			else if (split(w[i], a, "@") == 2) { hit[a[2]] = 1
				text[a[2]] = a[1] }
		}
	}
	{
		s = $0
		if (FNR in hit) {
			cr = sub(/\r$/, "", s)
			m = FNR in text ? text[FNR] : mark
			if (FNR in whole) s = m
			else { at = int(rand() * (length(s) + 1))
				s = substr(s, 1, at) m substr(s, at + 1) }
			if (cr) s = s "\r"
		}
		printf "%s%s", (FNR > 1 ? "\n" : ""), s
	}
	END { if (final) printf "\n" }' final="$(tail -c 1 "base.$_shape" |
	    od -An -c | grep -c '\\n')" "base.$_shape" "base.$_shape" >in
}

# expected: from `in`, writes ref (the output expected: tr a-z A-Z of the
# lines without the marker) and qref (the quarantine expected, one line per
# poison line: LINE, OFFSET, LENGTH, RECORD, tab-separated); sets np.
expected() {
	_nl=$(tail -c 1 in | od -An -c | grep -c '\\n')
	_n=$(awk 'END { print NR }' in)
	grep -v -F "$MARK" in | tr a-z A-Z >ref
	# grep ends its last line with a newline: take it off again when the
	# input has none and its last line is not poison.
	if [ "$_nl" = 0 ] && ! tail -n 1 in | grep -q -F "$MARK"; then
		head -c -1 ref >ref.tmp && mv ref.tmp ref
	fi
	grep -n -b -F "$MARK" in | awk -v n="$_n" -v nl="$_nl" '{
		i = index($0, ":"); line = substr($0, 1, i - 1)
		rest = substr($0, i + 1); i = index(rest, ":")
		off = substr(rest, 1, i - 1); rec = substr(rest, i + 1)
		len = length(rec) + (line + 0 < n + 0 || nl + 0)
		printf "%s\t%s\t%s\t%s\n", line, off, len, rec
	}' >qref
	np=$(wc -l <qref | tr -d ' ')
}

# ---------------------------------------------------------------- killer
MAX_KILLS=60		# per run, all signals together
MAX_STOPS=2		# per run (1 at -j 1): each costs a chunk_timeout

# plan: the killer's random choices, one line each: SIGNAL PICK DELAY.
plan() {
	awk -v seed="$SEED$run_no" 'BEGIN {
		srand(seed)
		for (i = 0; i < 3000; i++) {
			r = rand()
			printf "%s %d 0.%03d\n", (r < 0.5 ? "KILL" : r < 0.8 ? \
			    "SEGV" : "STOP"), int(rand() * 1000000),
			    5 + int(rand() * 36)
		}
	}' >plan
}

# killer MASTER LOG: follows the plan, sending each signal to a random
# current worker of MASTER (a direct child whose environment names it),
# one line "SIGNAL PID" in LOG per signal delivered; stops when MASTER has
# exited, or after MAX_KILLS signals, or at the end of the plan. A worker
# it has stopped it leaves alone: only chunk_timeout may end that one.
# Builtins only, but for the environment check and the sleep: it keeps up
# with 5 ms intervals.
killer() {
	_m=$1 _log=$2 _nk=0 _ns=0 _stopped=" "
	: >"$_log"
	while read -r _sig _pick _delay; do
		_st=
		read -r _st 2>/dev/null <"/proc/$_m/stat" || break
		_st=${_st##*) }
		case $_st in Z*|X*) break ;; esac
		_kids=
		read -r _kids 2>/dev/null <"/proc/$_m/task/$_m/children"
		set --
		for _p in $_kids; do
			case $_stopped in *" $_p "*) ;; *) set -- "$@" "$_p" ;; esac
		done
		if [ $# -gt 0 ]; then
			[ "$_sig" = STOP ] && [ $_ns -ge $max_stops ] && _sig=KILL
			_k=$((_pick % $# + 1))
			eval "_p=\${$_k}"
			if grep -q -a -z -x "CHUNKVISOR_MASTER_PID=$_m" \
			    "/proc/$_p/environ" 2>/dev/null &&
			    kill -"$_sig" "$_p" 2>/dev/null; then
				echo "$_sig $_p" >>"$_log"
				_nk=$((_nk + 1))
				if [ "$_sig" = STOP ]; then
					_ns=$((_ns + 1))
					_stopped="$_stopped$_p "
				fi
				[ $_nk -ge $MAX_KILLS ] && break
			fi
		fi
		sleep "$_delay"
	done <plan
}

# ---------------------------------------------------------------- runs
run_no=0
timeout=1s		# workers.chunk_timeout
bound=30		# seconds a run may take
total_sigs=0 total_hangs=0 total_poison=0 total_other=0

# chaos DESC SHAPE WORKERS CHUNK KILLER POISON-WHERE -- FAULTY-SPECS...:
# one job on base.SHAPE poisoned as POISON-WHERE says ("" for none), with
# the faulty worker given FAULTY-SPECS, under the killer when KILLER is yes.
chaos() {
	_d=$1 _shape=$2 _j=$3 _c=$4 _kill=$5 _where=$6
	shift 7
	_specs="$*"
	run_no=$((run_no + 1))
	case " ${CHAOS_RUNS:-$run_no} " in *" $run_no "*) ;; *) return ;; esac
	_failures=$failures
	_d="run $run_no ($_d, $_shape, -j $_j -c $_c)"
	poison "$_shape" $_where
	expected
	plan
	max_stops=$MAX_STOPS
	[ "$_j" = 1 ] && max_stops=1
	rm -f out out.quarantine
	shm_list >shm.before
	_fseed=$((SEED * 100 + run_no))
	# Under the killer every chunk not failed otherwise is slowed down a
	# little, 3 ms per worker, so that the job lasts long enough for the
	# killer (about 4 ms of work per chunk) while a worker still finishes
	# several chunks between two signals to it (a healthy chunk does not
	# fail max_attempts times in a row).
	_slow=
	[ "$_kill" = yes ] && _slow="-f slow:$((3 * _j))"
	_start=$(now)
	cv_bg run -q -i in -o out -j "$_j" -c "$_c" \
	    --set workers.max_restarts=1000000 \
	    --set workers.max_attempts=6 \
	    --set workers.restart_backoff_max=50ms \
	    --set workers.chunk_timeout="$timeout" \
	    --set "workers.program=faulty -s $_fseed $_specs $_slow" >stdout 2>err
	_m=$cv_pid
	: >kills
	if [ "$_kill" = yes ]; then
		killer "$_m" kills &
		_kp=$!
		track "$_kp"
	fi
	cv_wait "$_m" "$bound"
	[ "$_kill" = yes ] && reap "$_kp"
	_took=$(since "$_start")

	_nk=$(grep -c '^KILL' kills)
	_nsegv=$(grep -c '^SEGV' kills)
	_nstop=$(grep -c '^STOP' kills)
	# faulty says "faulty: KIND on chunk N, attempt N" on its stderr (which
	# the master may prefix).
	_nhang=$(grep -c 'faulty: hang on chunk' err)
	_nto=$(grep -c 'chunk_timeout' err)
	# The other faults, where injected (exit and fail are poison too).
	_nother=0 _kinds=
	case $_specs in *garbage*|*orphan*)
		set -- $(awk 'match($0, /faulty: [a-z-]+ on chunk/) {
		    k = substr($0, RSTART + 8, RLENGTH - 17)
		    if (k !~ /^(crash|slow|hang)$/) { n[k]++; t++ } } END {
		    printf "%d", t; for (k in n) printf " %s:%d", k, n[k] }' err)
		_nother=$1
		shift
		[ $# -gt 0 ] && _kinds=" ($*)" ;;
	esac
	[ "$np" -gt 0 ] && _want=1 || _want=0

	if [ "$cv_rc" = "$_want" ]; then
		ok "$_d: exit $cv_rc"
	elif [ "$cv_rc" = timeout ]; then
		bad "$_d: still running after ${bound}s (chunk_timeout \
$timeout), killed; faulty -s $_fseed $_specs $_slow; stderr:"
		grep -v 'faulty: [a-z-]* on chunk' err | tail -n 5
	else
		bad "$_d: exit $cv_rc, expected $_want ($np poison lines); \
faulty -s $_fseed $_specs $_slow; stderr:"
		grep -v 'faulty: [a-z-]* on chunk' err | tail -n 5
	fi
	_lo=
	[ -f out ] && _lo=$(wc -l <out | tr -d ' ')
	_lr=$(wc -l <ref | tr -d ' ')
	if [ -f out ] && cmp -s ref out; then
		ok "$_d: output identical to grep -v $MARK | tr a-z A-Z \
($_lo lines, $(wc -c <out | tr -d ' ') bytes)"
	else
		bad "$_d: output differs from grep -v $MARK | tr a-z A-Z: \
$(cmp ref out 2>&1 | head -n 1); ${_lo:-no} lines, expected $_lr"
	fi
	[ "${_lo:-x}" = "$_lr" ] ||
	    bad "$_d: output has ${_lo:-no} lines, expected $_lr"
	if [ -f out.quarantine ]; then
		grep -v '^#' out.quarantine | cut -f 2-4,6- | sort -n >qgot
	else
		: >qgot
	fi
	if cmp -s qref qgot; then
		ok "$_d: quarantine lists exactly the $np poison lines"
	else
		bad "$_d: quarantine (line, offset, length, record) differs \
from grep -n -b $MARK; expected, then got:"
		sed 's/^/    want: /' qref | head -n 10
		sed 's/^/    got:  /' qgot | head -n 10
	fi
	if [ "$_kill" = yes ]; then
		_ns=$((_nk + _nsegv + _nstop))
		if [ $_ns -ge 3 ]; then
			ok "$_d: $_ns signals delivered"
		else
			bad "$_d: only $_ns signals delivered: the job ended \
too fast to test anything (${_took}s)"
		fi
	fi
	if wait_no_env_pids "$_m" 2; then
		ok "$_d: no process of master $_m left"
	else
		bad "$_d: 2 s after the end, processes of master $_m remain:"
		for _p in $(env_pids "$_m"); do
			ps -o pid=,ppid=,pgid=,stat=,args= -p "$_p" |
			    sed 's/^/    /'
			kill -KILL "$_p" 2>/dev/null
		done
	fi
	shm_list >shm.after
	if cmp -s shm.before shm.after; then
		ok "$_d: nothing new in /dev/shm"
	else
		bad "$_d: new in /dev/shm: $(comm -13 shm.before shm.after |
		    tr '\n' ' ')"
	fi
	_left=$(ls -A | grep chunkvisor)
	[ -z "$_left" ] || bad "$_d: temporary output left: $_left"

	# Keep what a failed run needs to be looked into.
	if [ "$failures" -gt "$_failures" ]; then
		mkdir -p "$SRCDIR/$BUILD/test-logs"
		for _f in in err kills; do
			cp "$_f" "$SRCDIR/$BUILD/test-logs/chaos-run$run_no.$_f" \
			    2>/dev/null
		done
		say "$_d: its input, stderr and kills are in \
$BUILD/test-logs/chaos-run$run_no.*"
	fi
	say "$_d: survived $_nk SIGKILL, $_nsegv SIGSEGV, $_nstop SIGSTOP, \
$_nhang hangs ($_nto chunk_timeout kills), $_nother other faults$_kinds, \
$np poison lines in ${_took}s"
	total_sigs=$((total_sigs + _nk + _nsegv + _nstop))
	total_hangs=$((total_hangs + _nhang))
	total_poison=$((total_poison + np))
	total_other=$((total_other + _nother))
}

# faulty decides every spec from the same number (seed, chunk, attempt), and
# the first spec that applies wins: a spec with p=B after one with p=A
# applies with probability B - A. The poison spec comes first (p=1).
HANG="-f hang,p=0.01,attempts=1"
P_SEGV="-f crash,match=$MARK"
P_ABRT="-f crash:ABRT,match=$MARK"
P_KILL="-f crash:KILL,match=$MARK"
P_EXIT="-f exit:3,match=$MARK"
P_FAIL="-f fail:2,match=$MARK"
HOSTILE="-f garbage,p=0.01,attempts=1 -f bad-offset,p=0.02,attempts=1 \
-f double-done,p=0.03,attempts=1 -f close,p=0.04,attempts=1 \
-f exit:4,p=0.05,attempts=1 -f fail:3,p=0.06,attempts=1"
OTHER="$HOSTILE -f orphan,p=0.07,attempts=1"

#     desc     shape  -j -c   killer poison-where        faulty specs
chaos "clean"  short  1  512  yes    ""                -- $P_SEGV $HANG
chaos "poison" short  2  256  yes    "first rand rand" -- $P_SEGV $HANG
chaos "poison" short  4  1K   yes    "pair block"      -- $P_ABRT $HANG
chaos "poison" long   1  512  yes    "longest"         -- $P_KILL $HANG
chaos "clean"  long   2  1K   yes    ""                -- $P_SEGV $HANG
chaos "poison" long   4  2K   yes    "rand first"      -- $P_EXIT $HANG
chaos "poison" crlf   1  512  yes    "rand"            -- $P_FAIL $HANG
chaos "poison" crlf   2  512  yes    "block last"      -- $P_SEGV $HANG
chaos "clean"  crlf   4  1K   yes    ""                -- $P_SEGV $HANG
chaos "poison" nonl   1  512  yes    "last"            -- $P_SEGV $HANG
chaos "clean"  nonl   2  256  yes    ""                -- $P_ABRT $HANG
chaos "poison" nonl   4  1K   yes    "rand last first" -- $P_EXIT $HANG
chaos "poison" mixed  2  512  yes    "whole rand pair" -- $P_KILL $HANG
chaos "poison" mixed  4  256  yes    "whole"           -- $P_FAIL $HANG
chaos "clean"  mixed  1  512  yes    ""                -- $P_SEGV $HANG
chaos "other faults" crlf  4 512 yes ""                -- $OTHER
chaos "other faults, poison" mixed 2 512 yes "rand"    -- $P_SEGV $OTHER
chaos "other faults" nonl  1 256 no  ""                -- $OTHER
# Without a killer and without chunk_timeout: each hostile act must be
# seen for what it is (a bad message, EOF, an exit), not waited out.
timeout=0 bound=20
chaos "hostile, no chunk_timeout" short 2 256 no "" -- $HOSTILE
chaos "hostile, no chunk_timeout" nonl  1 256 no "" -- $HOSTILE
chaos "hostile, no chunk_timeout" long  4 256 no "" -- $HOSTILE
# A worker that left a child behind (which holds a copy of the worker's
# channel) and later closes its channel and goes on running: the close
# must still be seen.
bound=10
chaos "orphan, then close, no chunk_timeout" short 1 512 no \
    "F0RK@1000 CL0SE@3000" -- -f orphan,match=F0RK \
    -f close,match=CL0SE,attempts=1

say "$run_no runs in $(since "$suite_start")s survived $total_sigs signals, \
$total_hangs hangs, $total_other other faults, $total_poison poison lines"
finish
