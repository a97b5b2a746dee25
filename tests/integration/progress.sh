# progress.sh: the progress bar. Not drawn when stderr is not a terminal
# (nor with -q); drawn with --progress: lines starting "\r[" with the
# percentage and chunk counts, the summary line clean after it; never in
# the output.
. "$SRCDIR/tests/integration/lib.inc"

awk 'BEGIN { for (i = 0; i < 3000; i++) print "line " i }' >in
tr a-z A-Z <in >ref
slow="workers.program=faulty -f slow:40"

cv run -i in -o out -j 2 -c 2K --set "$slow" 2>err
if [ "$cv_rc" = 0 ] && ! grep -q "$(printf '\r')" err; then
	ok "stderr not a terminal: no bar"
else
	bad "stderr not a terminal: exit $cv_rc, or a bar was drawn"
fi

cv run -i in -o out -j 2 -c 2K --progress --set "$slow" 2>err
tr '\r' '\n' <err >lines
bars=$(grep -c '^\[[#.]\{20\}\] *[0-9]*% *[0-9/]* chunks' lines)
[ "$cv_rc" = 0 ] && [ "$bars" -ge 3 ] &&
    ok "--progress: $bars bar redraws with percentage and chunk counts" ||
    bad "--progress: exit $cv_rc, $bars bars: $(head -c 300 lines)"
last=$(tr '\r' '\n' <err | sed 's/\x1b\[K//g' | grep -v '^$' | tail -n 1)
case "$last" in
"chunkvisor: in: done: "*|"chunkvisor: faulty: done: "*)
	ok "--progress: the summary line ends stderr, clean" ;;
*)	bad "--progress: last line is '$last'" ;;
esac
cmp -s ref out && ok "--progress: output untouched" ||
    bad "--progress: the output differs from tr's"

cv run -q -i in -o out -j 2 -c 2K --set "$slow" 2>err
[ ! -s err ] && ok "-q: nothing on stderr" || bad "-q: stderr $(head -c 200 err)"
finish
