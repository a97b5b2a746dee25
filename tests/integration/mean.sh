# mean.sh: the running example. conf/mean.ini prints "Mean value: X" with X
# within 1e-4 of 0.5; the result does not depend on the number of workers
# (byte-identical for -j 1, 2, 3 at the same chunk size); on small ranges
# the summed "SUM COUNT" rows equal an independent Python computation of the
# documented generator (splitmix64 of seed and index, top 53 bits).
. "$SRCDIR/tests/integration/lib.inc"

# The shipped example, as a user runs it.
cv run "$SRCDIR/conf/mean.ini" >out 2>err
line=$(cat out)
if [ "$cv_rc" = 0 ] && printf '%s\n' "$line" | awk 'NR == 1 && NF == 3 &&
    $1 == "Mean" && $2 == "value:" && $3 ~ /^0\.[0-9]+$/ {
	d = $3 - 0.5; if (d < 0) d = -d; found = d < 0.0001 }
    END { exit !(found && NR == 1) }'; then
	ok "conf/mean.ini: '$line', within 1e-4 of 0.5"
else
	bad "conf/mean.ini: exit $cv_rc, stdout '$line'"
	head -n 5 err
fi
if [ "$(wc -l <err)" -ge 1 ] && [ -s err ]; then
	ok "conf/mean.ini: a summary on stderr ($(tail -n 1 err))"
else
	bad "conf/mean.ini: no summary line on stderr"
fi

# Same chunk size, any number of workers: the same bytes.
for j in 1 2 3; do
	cv run "$SRCDIR/conf/mean.ini" -q -j $j \
	    --set 'job.format=Mean value: %.17g' >out.j$j 2>err
	[ "$cv_rc" = 0 ] || bad "-j $j: exit status $cv_rc"
done
if cmp -s out.j1 out.j2 && cmp -s out.j1 out.j3; then
	ok "-j 1, -j 2, -j 3 give byte-identical results ($(cat out.j1))"
else
	bad "results differ by worker count: $(cat out.j1) / $(cat out.j2) / \
$(cat out.j3)"
fi
cv run "$SRCDIR/conf/mean.ini" -q -j 2 -c 3000000 \
    --set 'job.format=Mean value: %.17g' >out.c3 2>err
if [ "$cv_rc" = 0 ] && awk -v a="$(cut -d' ' -f3 out.j1)" \
    -v b="$(cut -d' ' -f3 out.c3)" 'BEGIN { d = a - b; if (d < 0) d = -d
	exit !(b != "" && d < 1e-12) }'; then
	ok "-c 3000000 agrees with -c 10000000 to 1e-12 ($(cat out.c3))"
else
	bad "-c 3000000: exit $cv_rc, '$(cat out.c3)' vs '$(cat out.j1)'"
fi

# An independent computation of the same numbers, on small ranges.
cat >ref.py <<'EOF'
import sys
M = (1 << 64) - 1
def sm(x):
    x = (x + 0x9e3779b97f4a7c15) & M
    x = ((x ^ (x >> 30)) * 0xbf58476d1ce4e5b9) & M
    x = ((x ^ (x >> 27)) * 0x94d049bb133111eb) & M
    return x ^ (x >> 31)
seed, a, b = (int(v) for v in sys.argv[1:4])
k = sm(seed)
s = 0.0
for i in range(a, b):
    s += (sm(k ^ i) >> 11) * 2.0 ** -53
print(repr(s), b - a)
EOF
for spec in "1 0 100000 10000" "1 5 150005 7777" "2 0 100000 33333" \
    "7 1000000 1000001 1"; do
	set -- $spec
	python3 ref.py "$1" "$2" "$3" >ref
	cv run "$SRCDIR/conf/mean.ini" -q -j 2 --range "$2..$3" -c "$4" \
	    --set "job.seed=$1" --set job.reduce=sum \
	    --set 'job.format=%.17g %.0f' >out 2>err
	if [ "$cv_rc" = 0 ] && awk 'NR == FNR { s = $1; n = $2; next }
	    { d = $1 - s; if (d < 0) d = -d
	      ok = NF == 2 && $2 == n && d <= 1e-12 * (s > 1 ? s : 1) }
	    END { exit !ok }' ref out; then
		ok "seed $1, range $2..$3, -c $4: SUM COUNT = Python's ($(cat out))"
	else
		bad "seed $1, range $2..$3, -c $4: exit $cv_rc, got '$(cat out)'\
, Python says '$(cat ref)'"
		head -n 3 err
	fi
done

# The seed matters.
cv run "$SRCDIR/conf/mean.ini" -q -j 2 --range 0..100000 -c 10000 \
    --set 'job.format=%.17g' >s1 2>err
cv run "$SRCDIR/conf/mean.ini" -q -j 2 --range 0..100000 -c 10000 \
    --set job.seed=2 --set 'job.format=%.17g' >s2 2>err
if [ -s s1 ] && [ -s s2 ] && ! cmp -s s1 s2; then
	ok "seed 1 and seed 2 give different means ($(cat s1) / $(cat s2))"
else
	bad "seed 1 and seed 2: '$(cat s1)' / '$(cat s2)'"
fi

finish
