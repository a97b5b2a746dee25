# check.sh: `chunkvisor check JOB.ini` exits 0 and prints every key of [job]
# and [workers] once, under its section, with its effective value and where
# it came from: the job file's own `key = value` lines (read here with awk)
# show with "file, line N"; unset keys show the documented defaults; values
# from -i/-o/-j/-c/--split/--range/--set/-- show with "command line" and
# override the file. The printed configuration, read back, gives the same
# values. check runs nothing.
. "$SRCDIR/tests/integration/lib.inc"

# The keys of the contract (DESIGN.md, "The job file"), by section.
JOB_KEYS="name input split chunk_size range output order reduce format seed"
WORKER_KEYS="count command program prefetch chunk_timeout stop_timeout \
max_attempts restart_backoff restart_backoff_max max_restarts restart_window \
memory_limit"

# parse FILE: check's output as "SECTION KEY<TAB>VALUE<TAB>ORIGIN" lines.
# An unset key may be printed commented out (";range = ; not set").
parse() {
	awk '/^\[/ { sec = substr($0, 2, length($0) - 2); next }
	    /^;?[a-z_]+ *=/ {
		key = $1; sub(/^;/, "", key)
		rest = $0; sub(/^;?[a-z_]+ *= ?/, "", rest)
		n = split(rest, parts, " ; ")
		origin = parts[n]
		val = substr(rest, 1, length(rest) - length(origin) - 3)
		sub(/ +$/, "", val)
		printf "%s %s\t%s\t%s\n", sec, key, val, origin }' "$1"
}

# field KEY: the value and origin of SECTION.KEY in parsed.
value() { awk -F '\t' -v k="$1" '$1 == k { print $2 }' parsed; }
origin() { awk -F '\t' -v k="$1" '$1 == k { print $3 }' parsed; }

# every_key DESC: each contract key printed once, in its section.
every_key() {
	_missing=""
	for k in $JOB_KEYS; do
		[ "$(grep -c "^job $k	" parsed)" = 1 ] || _missing="$_missing job.$k"
	done
	for k in $WORKER_KEYS; do
		[ "$(grep -c "^workers $k	" parsed)" = 1 ] ||
		    _missing="$_missing workers.$k"
	done
	if [ -z "$_missing" ]; then
		ok "$1: every key of [job] and [workers] printed once"
	else
		bad "$1: keys missing or repeated:$_missing"
	fi
}

# expect DESC SECTION.KEY VALUE ORIGIN
expect() {
	_k=$(echo "$2" | tr . ' ')
	_v=$(value "$_k")
	_o=$(origin "$_k")
	if [ "$_v" = "$3" ] && [ "$_o" = "$4" ]; then
		ok "$1: $2 = '$3' ($4)"
	else
		bad "$1: $2 = '$_v' ($_o), expected '$3' ($4)"
	fi
}

# Every shipped job file.
for f in "$SRCDIR"/conf/*.ini; do
	b=$(basename "$f")
	cv check "$f" >out 2>err
	if [ "$cv_rc" != 0 ]; then
		bad "$b: exit $cv_rc: $(head -n 1 err)"
		continue
	fi
	ok "$b: check exits 0"
	parse out >parsed
	every_key "$b"
	# The file's own settings, with their line numbers.
	awk '/^[ \t]*\[/ { sec = $0; gsub(/[][ \t]/, "", sec); next }
	    /^[ \t]*[a-z_]+[ \t]*=/ {
		line = $0; key = line; sub(/[ \t]*=.*/, "", key)
		sub(/^[ \t]*/, "", key)
		val = line; sub(/^[^=]*=[ \t]*/, "", val)
		sub(/[ \t]+;.*$/, "", val); sub(/[ \t]+$/, "", val)
		printf "%s.%s\t%s\t%d\n", sec, key, val, NR }' "$f" >settings
	while IFS='	' read -r k v n; do
		if [ "$k" = workers.count ] && [ "$v" = auto ]; then
			# auto shows as the number it stands for
			expect "$b" "$k" "$(getconf _NPROCESSORS_ONLN)" \
			    "file, line $n (auto)"
		else
			expect "$b" "$k" "$v" "file, line $n"
		fi
	done <settings
	[ -s settings ] || bad "$b: no settings found in the file"
done

# Defaults, from a job file that sets only the command.
printf '[workers]\ncommand = touch %s/marker\n' "$PWD" >minimal.ini
cv check minimal.ini >out 2>err
[ "$cv_rc" = 0 ] && ok "minimal.ini: check exits 0" ||
    bad "minimal.ini: exit $cv_rc: $(head -n 1 err)"
parse out >parsed
every_key "minimal.ini"
expect "minimal.ini" job.name minimal default
for kv in job.input=- job.split=lines job.chunk_size=4M job.output=- \
    job.order=keep job.reduce=none job.seed=1 workers.prefetch=2 \
    workers.chunk_timeout=0 workers.stop_timeout=10s workers.max_attempts=3 \
    workers.restart_backoff=10ms workers.restart_backoff_max=5s \
    workers.max_restarts=100 workers.restart_window=60s \
    workers.memory_limit=0; do
	expect "minimal.ini default" "${kv%%=*}" "${kv#*=}" default
done
expect "minimal.ini" job.range "" "not set"
expect "minimal.ini" workers.program "" "not set"
ncpu=$(getconf _NPROCESSORS_ONLN)
v=$(value "workers count")
o=$(origin "workers count")
if [ "$v" = "$ncpu" ] && echo "$o" | grep -q auto; then
	ok "minimal.ini: workers.count = $v = online CPUs ($o)"
else
	bad "minimal.ini: workers.count = '$v' ($o), expected $ncpu (auto)"
fi
[ -e marker ] && bad "check ran the job's command"

# Command-line values, over the file's.
cv check "$SRCDIR/conf/upper.ini" -i in.txt -o out.txt -j 3 -c 64K \
    --split bytes --set job.order=any --set workers.max_attempts=7 \
    --set workers.stop_timeout=2s --set job.seed=42 >out 2>err
[ "$cv_rc" = 0 ] && ok "upper.ini with flags: check exits 0" ||
    bad "upper.ini with flags: exit $cv_rc: $(head -n 1 err)"
parse out >parsed
every_key "upper.ini with flags"
for kv in job.input=in.txt job.output=out.txt workers.count=3 \
    job.chunk_size=64K job.split=bytes job.order=any workers.max_attempts=7 \
    workers.stop_timeout=2s job.seed=42; do
	expect "flags" "${kv%%=*}" "${kv#*=}" "command line"
done
expect "flags" workers.command "tr a-z A-Z" "file, line 11"

# A later flag wins over an earlier one.
cv check "$SRCDIR/conf/upper.ini" -j 2 --set workers.count=5 -c 1K \
    --set job.chunk_size=2K >out 2>err
parse out >parsed
expect "later flag wins" workers.count 5 "command line"
expect "later flag wins" job.chunk_size 2K "command line"

# -- COMMAND replaces the file's program; --range with --split range.
cv check "$SRCDIR/conf/mean.ini" --range 5..50 -- sed 's/a b/c d/' \
    >out 2>err
[ "$cv_rc" = 0 ] && ok "mean.ini -- sed: check exits 0" ||
    bad "mean.ini -- sed: exit $cv_rc: $(head -n 1 err)"
parse out >parsed
expect "mean.ini -- sed" workers.program "" "not set"
expect "mean.ini --range" job.range 5..50 "command line"
v=$(value "workers command")
o=$(origin "workers command")
words=$(python3 -c 'import shlex, sys; print(shlex.split(sys.argv[1]))' "$v")
if [ "$o" = "command line" ] && [ "$words" = "['sed', 's/a b/c d/']" ]; then
	ok "-- sed 's/a b/c d/': shown as $v, which splits back into the words"
else
	bad "-- sed 's/a b/c d/': shown as '$v' ($o), splits into $words"
fi
cv check "$SRCDIR/conf/upper.ini" --set workers.program=upper >out 2>err
parse out >parsed
expect "upper.ini --set workers.program" workers.program upper "command line"
expect "upper.ini --set workers.program" workers.command "" "not set"

# The printed configuration read back gives the same values: the keys set
# by the file or the command line, as printed, make a job file that check
# accepts, with the same effective value for every key but the name.
for f in "$SRCDIR"/conf/*.ini; do
	b=$(basename "$f")
	cv check "$f" -j 2 -- tr 'a-z' 'A-Z' >out 2>err
	parse out | cut -f 1,2 >first
	grep -v -e '; default' -e '; not set' out >again.ini
	cv check again.ini >out2 2>err
	# The name and the quarantine path derive from the file's name.
	parse out2 | cut -f 1,2 | grep -v -e '^job name	' \
	    -e '^failure quarantine	' >second
	grep -v -e '^job name	' -e '^failure quarantine	' first >first2
	if [ "$cv_rc" = 0 ] && cmp -s first2 second; then
		ok "$b: check's output, read back by check, gives the same values"
	else
		bad "$b: check's output read back: exit $cv_rc \
($(head -n 1 err)); $(diff first2 second | head -n 3 | tr '\n' ' ')"
	fi
done

finish
