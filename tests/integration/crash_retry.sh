# crash_retry.sh: failed attempts are retried and cost nothing in the
# output. A command that crashes (SIGSEGV), exits non-zero, or hangs past
# chunk_timeout on the first attempts of every chunk still gives output
# byte-identical to `tr a-z A-Z`, exit 0. A command that always fails on
# one chunk makes the job exit 1 after exactly max_attempts attempts of it,
# with a message naming the chunk (its byte range holds the bad line).
. "$SRCDIR/tests/integration/lib.inc"

# flaky.py MODE N: upper-cases stdin to stdout, like tr a-z A-Z, except
# that the first N times it sees a given chunk (by content hash, counted in
# state/) it fails: MODE segv (kills itself with SIGSEGV), exit (exits 3),
# hang (sleeps 60 s); or poison (only chunks with a line "POISON", every
# time, logging each attempt to poison.log: exits 5) and killworker (the
# same, but SIGKILLs its parent, the worker running it).
cat >flaky.py <<'EOF'
import hashlib, os, signal, sys, time
mode, n = sys.argv[1], int(sys.argv[2])
data = sys.stdin.buffer.read()
if mode in ("poison", "killworker"):
    if b"\nPOISON\n" in b"\n" + data:
        with open("poison.log", "a") as f:
            f.write("attempt\n")
        if mode == "killworker":
            os.kill(os.getppid(), signal.SIGKILL)
            time.sleep(10)
        sys.exit(5)
else:
    path = os.path.join("state", hashlib.sha1(data).hexdigest())
    seen = os.path.getsize(path) if os.path.exists(path) else 0
    if seen < n:
        with open(path, "a") as f:
            f.write("x")
        if mode == "segv":
            os.kill(os.getpid(), signal.SIGSEGV)
        elif mode == "exit":
            sys.exit(3)
        elif mode == "hang":
            time.sleep(60)
sys.stdout.buffer.write(data.translate(bytes.maketrans(
    b"abcdefghijklmnopqrstuvwxyz", b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")))
EOF

awk 'BEGIN { for (i = 0; i < 900; i++) printf "%d some text %x\n", i, i * 31 }' \
    >in
tr a-z A-Z <in >ref

# retried DESC ARGS...: exit 0 and output identical to tr.
retried() {
	_d=$1
	shift
	rm -rf state out
	mkdir state
	start=$(now)
	cv run -q --fresh -i in -o out "$@" 2>err
	took=$(since "$start")
	_chunks=$(ls state | wc -l | tr -d ' ')
	_fails=$(cat state/* 2>/dev/null | tr -d '\n' | wc -c | tr -d ' ')
	if [ "$cv_rc" = 0 ] && cmp -s ref out; then
		ok "$_d: exit 0, identical to tr a-z A-Z after $_fails failed \
attempts on $_chunks chunks (${took}s)"
	else
		bad "$_d: exit $cv_rc, $(cmp ref out 2>&1 | head -n 1) \
($_fails failed attempts on $_chunks chunks)"
		head -n 5 err
	fi
	[ "$_chunks" -ge "${min_chunks:-5}" ] ||
	    bad "$_d: only $_chunks chunks failed: too few to test retries"
}

retried "SIGSEGV on the first attempt of every chunk" \
    -j 2 -c 1K -- python3 "$PWD/flaky.py" segv 1
retried "SIGSEGV on the first two attempts, max_attempts 3" \
    -j 2 -c 2K -- python3 "$PWD/flaky.py" segv 2
retried "exit 3 on the first attempt" \
    -j 3 -c 2K -- python3 "$PWD/flaky.py" exit 1
retried "exit 3 four times, max_attempts 5" \
    -j 2 -c 4K --set workers.max_attempts=5 -- python3 "$PWD/flaky.py" exit 4
min_chunks=3
retried "hang on the first attempt, chunk_timeout 500ms" \
    -j 3 -c 6K --set workers.chunk_timeout=500ms \
    -- python3 "$PWD/flaky.py" hang 1

# One chunk that always fails, with on_poison = fail and no bisection: the
# job stops after exactly max_attempts tries of that chunk.
awk '{ print } NR == 500 { print "POISON" }' in >pin
off=$(grep -b -x POISON pin | cut -d: -f1)
for attempts in 3 5; do
	rm -f poison.log out
	set -- --set failure.bisect=no --set failure.on_poison=fail
	[ $attempts = 3 ] || set -- "$@" --set workers.max_attempts=$attempts
	cv run -q --fresh -i pin -o out -j 2 -c 2K "$@" \
	    -- python3 "$PWD/flaky.py" poison 0 2>err
	tries=$(wc -l <poison.log 2>/dev/null | tr -d ' ')
	msg=$(grep -E 'chunk [0-9]+' err | head -n 1)
	range=$(printf '%s\n' "$msg" | sed -n 's/.*bytes \([0-9]*\)\.\.\([0-9]*\).*/\1 \2/p')
	d="poison line at byte $off, max_attempts $attempts"
	[ "$cv_rc" = 1 ] && ok "$d: exit 1" || {
	    bad "$d: exit $cv_rc, expected 1"; head -n 5 err; }
	[ "$tries" = "$attempts" ] &&
	    ok "$d: the bad chunk was tried exactly $attempts times" ||
	    bad "$d: the bad chunk was tried ${tries:-0} times, expected $attempts"
	if [ -z "$msg" ]; then
		bad "$d: no message naming the chunk; stderr: $(head -n 3 err)"
	elif [ -n "$range" ] && ! echo "$range" | awk -v o="$off" \
	    '{ exit !($1 <= o && o < $2) }'; then
		bad "$d: the message names bytes $range, which do not hold \
byte $off: $msg"
	else
		ok "$d: message names the chunk: $msg"
	fi
	# Stopped, not complete: no output; the journal and the partial
	# output stay for --resume, nothing else.
	left=$(ls -A | grep chunkvisor | grep -v -x .out.chunkvisor-partial)
	[ -z "$left" ] && [ ! -e out ] && [ -e out.journal ] ||
	    bad "$d: output or temporary output left: $left"
done

# The same poison line with the defaults (bisect = yes, on_poison = skip):
# the job completes with exit 1; the output is tr's minus exactly that
# line, and the quarantine file lists exactly it, with its line number.
rm -f poison.log out out.quarantine
cv run -q --fresh -i pin -o out -j 2 -c 2K -- python3 "$PWD/flaky.py" poison 0 2>err
d="poison line, bisected"
[ "$cv_rc" = 1 ] && ok "$d: exit 1" || { bad "$d: exit $cv_rc, expected 1"
    head -n 5 err; }
grep -v -x POISON pin | tr a-z A-Z >ref
cmp -s ref out && ok "$d: output is tr's minus the poison line" ||
    bad "$d: output differs from tr's minus the poison line"
line=$(grep -n -x POISON pin | cut -d: -f1)
got=$(grep -v '^#' out.quarantine 2>/dev/null | awk -F '\t' '{ print $2, $3, $6 }')
[ "$got" = "$line $off POISON" ] &&
    ok "$d: quarantine lists exactly line $line (byte $off)" ||
    bad "$d: quarantine holds '$got', expected '$line $off POISON'"

# The worker itself dies (SIGKILL) on every attempt of one chunk: exit 1,
# and the message on that chunk says why, naming the signal.
rm -f poison.log
cv run -q --fresh -i pin -o out -j 2 -c 2K -- python3 "$PWD/flaky.py" killworker 0 \
    2>err
tries=$(wc -l <poison.log 2>/dev/null | tr -d ' ')
msg=$(grep -E 'chunk [0-9]+.*failed' err | tail -n 1)
d="worker SIGKILLed on every attempt of one chunk"
[ "$cv_rc" = 1 ] && ok "$d: exit 1 after $tries attempts" || {
    bad "$d: exit $cv_rc, expected 1"; head -n 5 err; }
if printf '%s\n' "$msg" | grep -q -i -e SIGKILL -e 'signal 9' -e killed; then
	ok "$d: the message says why: $msg"
else
	bad "$d: the message does not say the worker was killed (SIGKILL): \
'$msg'"
fi

# chunk_timeout = auto: a worker hung on one of the first chunks, before
# any deadline is known, is still timed out once the median is known.
{ echo HANGME; awk '{ print }' in; } >hin
rm -f out
CV_LIMIT=30 cv run -q --fresh -i hin -o out -j 2 -c 2K \
    --set workers.chunk_timeout=auto \
    --set "workers.program=faulty -f hang,match=HANGME,attempts=1" 2>err
tr a-z A-Z <hin >href
d="hang on the first chunk, chunk_timeout = auto"
[ "$cv_rc" = 0 ] && cmp -s href out && ok "$d: exit 0, identical to tr" ||
    bad "$d: exit $cv_rc (124: never timed out); $(cmp href out 2>&1)"

finish
