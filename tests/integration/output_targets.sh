# output_targets.sh: where -o points. A regular file is replaced whole and
# only at the end; a symbolic link has the file it names replaced (the link
# stays); a character device (a private copy of /dev/null) and a FIFO are
# written in place and stay what they are; nothing else is left beside them.
. "$SRCDIR/tests/integration/lib.inc"

seq 1 50000 | awk '{ print "line " $0 }' >in
tr a-z A-Z <in >ref

# A symbolic link: the file it names gets the output.
printf 'old\n' >real
ln -s real lnk
cv run -q -i in -o lnk -c 16K -- tr a-z A-Z
[ "$cv_rc" = 0 ] && [ -L lnk ] && cmp -s ref real &&
    ok "symlink output: the named file has the output, the link stays" ||
    bad "symlink output: exit $cv_rc; link $( [ -L lnk ] && echo kept ||
    echo replaced); $(cmp ref real 2>&1 | head -n 1)"

# A FIFO: written in place, read by cat.
mkfifo fifo
cat fifo >from_fifo &
reader=$!
track $reader
cv run -q -i in -o fifo -c 16K -- tr a-z A-Z
reap $reader
[ "$cv_rc" = 0 ] && [ -p fifo ] && cmp -s ref from_fifo &&
    ok "FIFO output: written in place, still a FIFO" ||
    bad "FIFO output: exit $cv_rc; $(ls -l fifo); \
$(cmp ref from_fifo 2>&1 | head -n 1)"

# A character device: a null device of our own, so that a regression
# cannot replace the machine's /dev/null.
# (In a container the device may be made but not opened: not checked.)
if [ "$(id -u)" = 0 ] && mknod nulldev c 1 3 2>/dev/null &&
    (printf x >nulldev) 2>/dev/null; then
	cv run -q -i in -o nulldev -c 16K -- tr a-z A-Z
	[ "$cv_rc" = 0 ] && [ -c nulldev ] &&
	    ok "device output: exit 0, still a character device" ||
	    bad "device output: exit $cv_rc; now $(ls -l nulldev)"
	[ ! -e nulldev.quarantine ] && [ ! -e ../nulldev.quarantine ] ||
	    bad "device output: a quarantine file appeared"
else
	say "device output: no usable device of our own here; not checked"
fi

left=$(ls -A | grep -v -x -e in -e ref -e real -e lnk -e fifo -e from_fifo \
    -e nulldev)
[ -z "$left" ] && ok "nothing else left: no temporary file" ||
    bad "left behind: $left"
finish
