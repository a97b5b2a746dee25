# bad_jobs.sh: refusals. Each malformed job file makes both `run` and
# `check` exit 78 with a first stderr line "FILE:LINE: ..." naming the
# offending line, and no worker runs (the job's command would create a
# marker file). Bad flags exit 64 naming the flag; a missing job file or
# input 66; an output in a missing directory 73; a worker that cannot start
# or crash-loops 69, quickly, without spinning.
. "$SRCDIR/tests/integration/lib.inc"

M=$PWD/marker
awk 'BEGIN { for (i = 0; i < 100; i++) print "line", i }' >in

# The control: a good job with the marker command does create the marker.
cat >good.ini <<EOF
[job]
input = in
chunk_size = 100
[workers]
command = touch $M
EOF
cv run good.ini -q >out 2>err
if [ "$cv_rc" = 0 ] && [ -e "$M" ]; then
	ok "control: good.ini runs its command (the marker appears)"
else
	bad "control: good.ini exit $cv_rc, marker $( [ -e "$M" ] && echo \
	    present || echo missing): the marker test proves nothing"
fi
rm -f "$M"

# job NAME LINE: the job file NAME.ini, read from stdin with @M@ replaced by
# the marker's path, must be refused at LINE (a number, or * for any).
job() {
	_f=$1.ini _line=$2
	sed "s|@M@|$M|g" >"$_f"
	for _cmd in run check; do
		rm -f "$M"
		if [ $_cmd = run ]; then
			cv run "$_f" -q <in >out 2>err
		else
			cv check "$_f" >out 2>err
		fi
		_first=$(head -n 1 err)
		_got=$(printf '%s\n' "$_first" | sed -n "s|^$_f:\([0-9]*\): .*|\1|p")
		if [ "$cv_rc" != 78 ]; then
			bad "$1 ($_cmd): exit $cv_rc, expected 78; stderr: $_first"
		elif [ -z "$_got" ]; then
			bad "$1 ($_cmd): stderr does not start with '$_f:LINE: ': \
$_first"
		elif [ "$_line" != "*" ] && [ "$_got" != "$_line" ]; then
			bad "$1 ($_cmd): line $_got, expected $_line: $_first"
		elif [ -e "$M" ]; then
			bad "$1 ($_cmd): exit 78 but the command ran (marker)"
		else
			ok "$1 ($_cmd): 78, $_first"
		fi
	done
}

job unknown_section 4 <<'EOF'
[job]
input = in
; a comment
[jobs]
split = lines
[workers]
command = touch @M@
EOF
job unknown_key 3 <<'EOF'
[workers]
command = touch @M@
colour = blue
EOF
job bad_number 3 <<'EOF'
[workers]
command = touch @M@
prefetch = two
EOF
job negative_number 3 <<'EOF'
[workers]
command = touch @M@
max_attempts = -1
EOF
job zero_attempts 4 <<'EOF'
[workers]
command = touch @M@

max_attempts = 0
EOF
job too_many_workers 2 <<'EOF'
[workers]
count = 5000
command = touch @M@
EOF
job fraction_seed 2 <<'EOF'
[job]
seed = 1.5
[workers]
command = touch @M@
EOF
job bad_size 3 <<'EOF'
[job]
input = in
chunk_size = 12Q
[workers]
command = touch @M@
EOF
job zero_size 2 <<'EOF'
[job]
chunk_size = 0
[workers]
command = touch @M@
EOF
job negative_memory 3 <<'EOF'
[workers]
command = touch @M@
memory_limit = -5M
EOF
job bad_duration 3 <<'EOF'
[workers]
command = touch @M@
stop_timeout = 10 parsecs
EOF
job bad_duration_unit 3 <<'EOF'
[workers]
command = touch @M@
chunk_timeout = 5x
EOF
job bad_split 2 <<'EOF'
[job]
split = words
[workers]
command = touch @M@
EOF
job bad_order 3 <<'EOF'
[job]
input = in
order = random
[workers]
command = touch @M@
EOF
job bad_reduce 2 <<'EOF'
[job]
reduce = average
[workers]
command = touch @M@
EOF
job long_line 3 <<EOF
[job]
input = in
name = $(awk 'BEGIN { for (i = 0; i < 250; i++) printf "n" }')
[workers]
command = touch @M@
EOF
job long_comment 2 <<EOF
[workers]
; $(awk 'BEGIN { for (i = 0; i < 300; i++) printf "c" }')
command = touch @M@
EOF
job outside_section 1 <<'EOF'
input = in
[workers]
command = touch @M@
EOF
job duplicate_key 4 <<'EOF'
[job]
chunk_size = 1K
input = in
chunk_size = 2K
[workers]
command = touch @M@
EOF
job duplicate_section 4 <<'EOF'
[workers]
command = touch @M@
[job]
[workers]
prefetch = 1
EOF
job unclosed_section 2 <<'EOF'
[workers]
[job
command = touch @M@
EOF
job text_after_section 1 <<'EOF'
[workers] command = touch @M@
EOF
job no_equals 3 <<'EOF'
[workers]
command = touch @M@
just some words
EOF
job empty_value 2 <<'EOF'
[job]
split =
[workers]
command = touch @M@
EOF
job both_command_and_program "*" <<'EOF'
[workers]
program = upper
command = touch @M@
EOF
job no_workers "*" <<'EOF'
[job]
input = in
split = lines
EOF
job no_worker_key "*" <<'EOF'
[job]
input = in
[workers]
count = 2
EOF
job range_without_split 4 <<'EOF'
[job]
input = in
split = lines
range = 0..100
[workers]
command = touch @M@
EOF
job split_range_without_range 2 <<'EOF'
[job]
split = range
chunk_size = 10
[workers]
command = touch @M@
EOF
job range_with_input 3 <<'EOF'
[job]
split = range
input = in
range = 0..100
[workers]
command = touch @M@
EOF
job bad_range 3 <<'EOF'
[job]
split = range
range = 10..
[workers]
command = touch @M@
EOF
job format_without_reduce 3 <<'EOF'
[job]
input = in
format = total %d
[workers]
command = touch @M@
EOF
job bad_format 3 <<'EOF'
[job]
reduce = sum
format = total %s
[workers]
command = touch @M@
EOF
job format_without_conversion 3 <<'EOF'
[job]
reduce = sum
format = total
[workers]
command = touch @M@
EOF
job unterminated_quote 2 <<'EOF'
[workers]
command = sh -c 'touch @M@
EOF
job unterminated_double_quote 3 <<'EOF'
[workers]
count = 1
command = sh -c "touch @M@
EOF
job backoff_over_max 3 <<'EOF'
[workers]
command = touch @M@
restart_backoff = 10s
restart_backoff_max = 1s
EOF
# A job file with a NUL byte in a line.
printf '[workers]\nprefetch = 1\000\ncommand = touch %s\n' "$M" >nul.ini
cv run nul.ini -q <in >out 2>err
if [ "$cv_rc" = 78 ] && head -n 1 err | grep -q '^nul\.ini:2: ' &&
    [ ! -e "$M" ]; then
	ok "nul_byte (run): 78, $(head -n 1 err)"
else
	bad "nul_byte (run): exit $cv_rc: $(head -n 1 err)"
fi

# flag DESC NAME ARGS...: exit 64, the message naming NAME (the flag), and
# nothing run.
flag() {
	_d=$1 _name=$2
	shift 2
	rm -f "$M"
	cv "$@" <in >out 2>err
	if [ "$cv_rc" = 64 ] && grep -q -e "$_name" err && [ ! -e "$M" ]; then
		ok "$_d: 64, $(head -n 1 err)"
	else
		bad "$_d: exit $cv_rc (expected 64, naming '$_name'): \
$(head -n 1 err)"
	fi
}
flag "-j abc" "-j" run -j abc -- touch "$M"
flag "-j 0" "-j" run -j 0 -- touch "$M"
flag "--workers=abc" "workers" run --workers=abc -- touch "$M"
flag "-c 0" "-c" run -c 0 -- touch "$M"
flag "-c 5Q" "-c" run -c 5Q -- touch "$M"
flag "--split words" "--split" run --split words -- touch "$M"
flag "--range 5" "--range" run --split range --range 5 -- touch "$M"
flag "--set without =" "--set" run --set job.split -- touch "$M"
flag "--set unknown key" "--set" run --set job.colour=blue -- touch "$M"
flag "--set unknown section" "--set" run --set jobs.split=lines -- touch "$M"
flag "--set bad value" "--set" run --set workers.prefetch=x -- touch "$M"
flag "unknown option" "--frobnicate" run --frobnicate -- touch "$M"
flag "unknown short option" "-Z" run -Z -- touch "$M"
flag "-i without value" "-i" run -i
flag "nothing after --" "--" run -i in --
flag "two job files" "good2.ini" run good.ini good2.ini
flag "check without a job file" "check" check
flag "a flag error beats a good job file" "-j" run good.ini -j none
cv frobnicate >out 2>err
[ "$cv_rc" = 64 ] && ok "unknown subcommand: 64, $(head -n 1 err)" ||
    bad "unknown subcommand: exit $cv_rc, expected 64"
cv >out 2>err
[ "$cv_rc" = 64 ] && ok "no subcommand: 64" ||
    bad "no subcommand: exit $cv_rc, expected 64"

# status DESC WANT SECONDS ARGS...: exit WANT within SECONDS.
status() {
	_d=$1 _want=$2 _secs=$3
	shift 3
	rm -f "$M"
	start=$(now)
	CV_LIMIT=$_secs cv "$@" <in >out 2>err
	took=$(since "$start")
	if [ "$cv_rc" = "$_want" ]; then
		ok "$_d: $_want in ${took}s, $(head -n 1 err)"
	else
		bad "$_d: exit $cv_rc after ${took}s, expected $_want within \
${_secs}s: $(head -n 1 err)"
	fi
}
status "missing job file" 66 10 run nonexistent.ini
status "check, missing job file" 66 10 check nonexistent.ini
status "missing input" 66 10 run -i nonexistent-input -- touch "$M"
status "missing input in the job file" 66 10 run good.ini -i nope
status "unreadable input (a directory)" 66 10 run -i . -- touch "$M"
status "output in a missing directory" 73 10 run -i in -o nodir/out \
    -- touch "$M"
[ -e "$M" ] && bad "output in a missing directory: the command ran"
status "output is a directory" 73 10 run -i in -o . -- touch "$M"
left=$(ls -A | grep chunkvisor)
[ -z "$left" ] && ok "output is a directory: no temporary file left" ||
    bad "output is a directory: temporary file left: $left"
status "program = /nonexistent" 69 5 run -i in \
    --set workers.program=/nonexistent
status "program not found by name" 69 5 run -i in \
    --set workers.program=no-such-worker-program
status "-- /nonexistent-cmd" 69 5 run -i in -- /nonexistent-cmd
status "-- no-such-command-anywhere" 69 5 run -i in -- no-such-command-anywhere
status "command not executable" 69 5 run -i in -- "$PWD/in"
printf '#!/bin/sh\nexit 127\n' >exit127
chmod +x exit127
status "program exiting 127 (missing library)" 69 5 run -i in \
    --set "workers.program=$PWD/exit127"
printf '#!/bin/sh\nkill -SEGV $$\n' >crasher
chmod +x crasher
status "program crashing at start, default limits" 69 15 run -i in \
    --set "workers.program=$PWD/crasher"
status "program crashing at start, max_restarts=5" 69 5 run -i in \
    --set "workers.program=$PWD/crasher" --set workers.max_restarts=5
msg=$(grep crash-looping err)
if printf '%s\n' "$msg" | grep -q -e SIGSEGV -e 'signal 11'; then
	ok "crash-loop message says why: $msg"
else
	bad "crash-loop message does not name the last crash (SIGSEGV): '$msg'"
fi

finish
