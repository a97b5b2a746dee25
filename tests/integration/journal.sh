# journal.sh: the journal's rules. SIGTERM exits 75 within stop_timeout +
# 1 s and --resume completes the job identically; a journal makes a plain
# run refuse (64, naming --resume and --fresh); a journal from another job
# file or a changed input is refused (78, naming the difference) and stays
# intact; a torn last record and a damaged one are dropped, the output is
# still right; --fresh starts over; keep = yes keeps the journal; quarantined
# records stay quarantined, each once, across a resume; `status` reads it.
. "$SRCDIR/tests/integration/lib.inc"

awk 'BEGIN { for (i = 0; i < 12000; i++) printf "%d line of text\n", i }' >in
tr a-z A-Z <in >ref
cat >job.ini <<EOF
[job]
input = in
output = out
chunk_size = 2K
[workers]
count = 2
program = faulty -f slow:20
[state]
sync_interval = 100ms
EOF

# interrupted: runs job.ini (ARGS too) and stops it with SIGTERM after 0.7 s.
interrupted() {
	rm -f out out.journal out.spool .out.chunkvisor-partial
	cv_bg run -q job.ini "$@" 2>err
	m=$cv_pid
	sleep 0.7
	start=$(now)
	kill -TERM "$m"
	cv_wait "$m" 20
	took=$(since "$start")
}

# SIGTERM: exit 75 within stop_timeout (10 s) + 1 s: here the chunks in
# flight take 20 ms, so it is quick.
interrupted
if [ "$cv_rc" = 75 ] && awk -v t="$took" 'BEGIN { exit !(t <= 11) }'; then
	ok "SIGTERM: exit 75 after ${took}s"
else
	bad "SIGTERM: exit $cv_rc after ${took}s; expected 75 within 11 s"
fi
[ -s out.journal ] && [ ! -e out ] &&
    ok "SIGTERM: the journal stays, no output yet" ||
    bad "SIGTERM: journal $(ls -A | tr '\n' ' ')"
done_before=$(grep -c '^W ' out.journal)

# status of an interrupted job, as text and as JSON (read with python3).
cv status job.ini >status.txt
grep -q '^state *interrupted$' status.txt &&
    grep -q "^done *$done_before of about [0-9]* chunks" status.txt &&
    ok "status: interrupted, $done_before chunks done" ||
    bad "status: $(tr '\n' '|' <status.txt)"
cv status job.ini --json >status.json
if command -v python3 >/dev/null; then
	python3 - "$done_before" <<'PY' && ok "status --json: one object, the same counts" ||
import json, sys
s = json.load(open("status.json"))
assert s["state"] == "interrupted", s
assert s["chunks_done"] == int(sys.argv[1]), s
assert s["job"] == "job" and s["runs"] == 1 and s["pid"] is None, s
assert 0 < s["fraction"] < 1 and s["bytes_total"] > 0, s
PY
	bad "status --json: $(cat status.json)"
fi

# Without --resume or --fresh: refused, nothing touched.
cp out.journal journal.before
cv run -q job.ini 2>err
[ "$cv_rc" = 64 ] && grep -q -- '--resume' err && grep -q -- '--fresh' err &&
    ok "no flag: exit 64, naming --resume and --fresh" ||
    bad "no flag: exit $cv_rc: $(cat err)"
cmp -s out.journal journal.before && ok "no flag: journal untouched" ||
    bad "no flag: the journal changed"

# Another job file: refused, naming the key; the journal intact.
sed 's/^chunk_size = 2K/chunk_size = 4K/' job.ini >other.ini
cv run -q other.ini --resume 2>err
[ "$cv_rc" = 78 ] && grep -q "chunk_size='2K'" err && grep -q "'4K'" err &&
    ok "other job file: exit 78 naming job.chunk_size 2K vs 4K" ||
    bad "other job file: exit $cv_rc: $(cat err)"
cv run -q other.ini 2>err
[ "$cv_rc" = 64 ] && grep -q 'another job' err && grep -q -- '--fresh' err &&
    ok "other job file, no flag: exit 64, says it is another job's" ||
    bad "other job file, no flag: exit $cv_rc: $(cat err)"
cmp -s out.journal journal.before && ok "other job file: journal untouched" ||
    bad "other job file: the journal changed"

# A changed input: refused, naming the input.
cp -p in in.saved
echo "one more line" >>in
cv run -q job.ini --resume 2>err
[ "$cv_rc" = 78 ] && grep -q 'input changed' err &&
    ok "changed input: exit 78: $(cut -c 1-100 err)" ||
    bad "changed input: exit $cv_rc: $(cat err)"
cp -p in.saved in
touch -d '2001-01-01' in
cv run -q job.ini --resume 2>err
[ "$cv_rc" = 78 ] && grep -q 'input changed' err &&
    ok "touched input (mtime): exit 78" ||
    bad "touched input: exit $cv_rc: $(cat err)"
touch -r in.saved in
cmp -s out.journal journal.before && ok "changed input: journal untouched" ||
    bad "changed input: the journal changed"

# A torn last record (a crash while writing it): dropped, the job resumes
# and completes identically; the workers (-j) may differ between runs.
printf 'W 999 1 2 o 3 4 00' >>out.journal
cv run -q job.ini --resume -j 3 2>err
[ "$cv_rc" = 0 ] && cmp -s out ref &&
    ok "torn last record: --resume completes, identical to tr's" ||
    bad "torn last record: exit $cv_rc, $(cmp out ref 2>&1): $(head -n 3 err)"
[ ! -e out.journal ] && [ ! -e out.spool ] &&
    [ ! -e .out.chunkvisor-partial ] &&
    ok "complete: journal, spool and partial output removed" ||
    bad "complete: left $(ls -A | tr '\n' ' ')"

# A damaged record in the middle: it and the rest dropped, with a warning.
interrupted
n=$(grep -c '^W ' out.journal)
line=$(grep -n '^W ' out.journal | sed -n "$(( (n + 1) / 2 ))p" | cut -d: -f1)
sed -i "${line}s/ o / 0 /" out.journal
cv run job.ini --resume 2>err
[ "$cv_rc" = 0 ] && cmp -s out ref && grep -q "line $line is damaged" err &&
    ok "damaged line $line of $n: warned, dropped, identical output" ||
    bad "damaged line $line: exit $cv_rc: $(head -n 3 err)"

# A damaged result (the partial output edited): dropped from there on.
interrupted
printf 'XXXX' | dd of=.out.chunkvisor-partial bs=1 seek=100 conv=notrunc \
    2>/dev/null
cv run job.ini --resume 2>err
[ "$cv_rc" = 0 ] && cmp -s out ref && grep -q 'missing or damaged' err &&
    ok "damaged partial output: detected, re-run, identical output" ||
    bad "damaged partial output: exit $cv_rc: $(head -n 3 err)"

# --fresh discards the journal and starts over.
interrupted
cv run -q job.ini --fresh 2>err
[ "$cv_rc" = 0 ] && cmp -s out ref && [ ! -e out.journal ] &&
    ok "--fresh: starts over, complete" ||
    bad "--fresh: exit $cv_rc: $(head -n 3 err)"
cv run -q job.ini --resume --fresh 2>err
[ "$cv_rc" = 64 ] && ok "--resume with --fresh: exit 64" ||
    bad "--resume with --fresh: exit $cv_rc"

# keep = yes: the journal stays, says complete, and --resume has nothing
# to do.
cv run -q job.ini --set state.keep=yes 2>err
[ "$cv_rc" = 0 ] && cmp -s out ref && grep -q '^C time=' out.journal &&
    ok "keep = yes: journal kept, marked complete" ||
    bad "keep = yes: exit $cv_rc, $(ls -A | tr '\n' ' ')"
cv status job.ini | grep -q '^state *complete$' &&
    ok "status: complete" || bad "status: $(cv status job.ini)"
cv run -q job.ini --resume 2>err
[ "$cv_rc" = 0 ] && grep -q 'complete already' err && cmp -s out ref &&
    ok "keep = yes, then --resume: nothing to do" ||
    bad "keep = yes, then --resume: exit $cv_rc: $(cat err)"
# A run killed after its journal said complete, before the output got its
# name: --resume names it, and removes the journal.
mv out .out.chunkvisor-partial
cv run -q job.ini --resume 2>err
[ "$cv_rc" = 0 ] && cmp -s out ref && [ ! -e .out.chunkvisor-partial ] &&
    [ ! -e out.journal ] &&
    ok "complete journal, unnamed output: named, journal removed" ||
    bad "complete journal, unnamed output: exit $cv_rc: $(cat err)"
rm -f out.journal out.spool

# Poison records quarantined before the kill stay quarantined, once each.
awk '{ print } NR % 3000 == 1000 { print "POISON " NR }' in >pin
grep POISON pin | tr a-z A-Z >/dev/null
grep -v POISON pin | tr a-z A-Z >pref
rm -f pout pout.quarantine
set -- -i pin -o pout -c 2K -j 2 --set state.sync_interval=100ms \
    --set 'workers.program=faulty -f crash,match=POISON -f slow:20'
cv_bg run -q "$@" 2>err
m=$cv_pid
for _ in $(seq 100); do
	[ -s pout.journal ] && grep -q '^Q ' pout.journal && break
	sleep 0.05
done
sleep 0.3
kill -KILL "$m"
cv_wait "$m" 10
wait_no_env_pids "$m" 5
cv run -q "$@" --resume 2>err
q=$(grep -c POISON pout.quarantine 2>/dev/null)
[ "$cv_rc" = 1 ] && cmp -s pout pref && [ "$q" = 4 ] &&
    [ "$(grep POISON pout.quarantine | cut -f 2 | sort -u | wc -l)" = 4 ] &&
    ok "poison: after a kill and --resume, 4 records quarantined once each" ||
    bad "poison: exit $cv_rc, $q quarantine lines: $(head -n 3 err)"

finish
