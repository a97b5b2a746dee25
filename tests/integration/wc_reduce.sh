# wc_reduce.sh: reductions against independent tools. The wc program with
# reduce = sum gives "LINES WORDS BYTES" equal to wc -l -w -c of the whole
# input, for several inputs and chunk sizes; with split = bytes (words cut
# at chunk boundaries may count twice) lines and bytes still match. A
# command printing one number per line, reduced with min, max, sum and mean,
# matches awk over the whole file.
. "$SRCDIR/tests/integration/lib.inc"

# Fixtures: plain text; blanks of every kind; no final newline; CRLF; empty;
# a line longer than a chunk; several MB.
awk 'BEGIN { for (i = 0; i < 20000; i++)
	printf "%d word%s  and\tanother %s\n", i, (i % 3 ? "" : " extra"),
	    substr("xyzzy plugh", 1 + i % 9) }' >text
printf ' lead\t\ttabs  \v vt \f ff\r\n\n\n  \t \nx\ny z\n' >blanks
printf 'one two\nthree four five\nno newline at the end' >nonl
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "crlf %d line\r\n", i }' >crlf
: >empty
awk 'BEGIN { print "a b"; for (i = 0; i < 20000; i++) printf "w%d ", i;
	print ""; print "c" }' >longline
awk 'BEGIN { for (i = 0; i < 150000; i++)
	printf "%x %s\n", i * 131, substr("a bb ccc dddd eeeee ffffff", 1 + i % 17) }' \
    >big

# wc's numbers as "LINES WORDS BYTES".
wcref() { wc -l -w -c <"$1" | awk '{ print $1, $2, $3 }'; }

for f in text blanks nonl crlf empty longline big; do
	for c in 1 4K 1M; do
		[ "$c" = 1 ] && [ "$f" = big ] && continue
		cv run -q -i "$f" -j 2 -c "$c" --set workers.program=wc \
		    --set job.reduce=sum >out 2>err
		want=$(wcref "$f")
		got=$(cat out)
		if [ "$cv_rc" = 0 ] && [ "$got" = "$want" ]; then
			ok "$f -c $c: wc program + reduce=sum = wc -l -w -c ($got)"
		else
			bad "$f -c $c: got '$got' (exit $cv_rc), wc says '$want'"
			head -n 3 err
		fi
	done
done

# The shipped job file, input from stdin.
cv run "$SRCDIR/conf/wc.ini" -q -j 2 <big >out 2>err
want=$(wcref big); got=$(cat out)
if [ "$cv_rc" = 0 ] && [ "$got" = "$want" ]; then
	ok "conf/wc.ini on stdin = wc ($got)"
else
	bad "conf/wc.ini on stdin: got '$got' (exit $cv_rc), wc says '$want'"
fi

# split = bytes: lines and bytes exact; words at least wc's.
cv run -q -i big -j 2 -c 1000 --split bytes --set workers.program=wc \
    --set job.reduce=sum >out 2>err
want=$(wcref big); got=$(cat out)
if [ "$cv_rc" = 0 ] && echo "$got $want" | awk '{ exit !($1 == $4 &&
    $3 == $6 && $2 >= $5) }'; then
	ok "big --split bytes: lines and bytes = wc, words >= wc ($got; wc $want)"
else
	bad "big --split bytes: got '$got' (exit $cv_rc), wc says '$want'"
fi

# One number per line: the length of each line, reduced.
for f in text nonl crlf longline big; do
	awk '{ l = length($0); s += l; n++
		if (n == 1 || l < mn) mn = l; if (l > mx) mx = l }
	    END { printf "%d %d %d %.17g\n", s, mn, mx, s / n }' "$f" >ref
	read -r rsum rmin rmax rmean <ref
	for r in sum min max; do
		cv run -q -i "$f" -j 2 -c 2K --set job.reduce=$r \
		    -- awk '{ print length($0) }' >out 2>err
		case $r in sum) want=$rsum;; min) want=$rmin;; max) want=$rmax;; esac
		got=$(cat out)
		if [ "$cv_rc" = 0 ] && [ "$got" = "$want" ]; then
			ok "$f: reduce=$r of line lengths = awk's ($got)"
		else
			bad "$f: reduce=$r of line lengths: got '$got' (exit \
$cv_rc), awk says '$want'"
			head -n 3 err
		fi
	done
	cv run -q -i "$f" -j 2 -c 2K --set job.reduce=mean \
	    -- awk '{ print length($0), 1 }' >out 2>err
	got=$(cat out)
	if [ "$cv_rc" = 0 ] && awk -v g="$got" -v w="$rmean" 'BEGIN {
	    d = g - w; if (d < 0) d = -d; exit !(g != "" && d <= 1e-9 * w) }'
	then
		ok "$f: reduce=mean of (length, 1) = awk's mean line length ($got)"
	else
		bad "$f: reduce=mean: got '$got' (exit $cv_rc), awk says '$rmean'"
	fi
done

# Several columns at once, reduced column by column.
awk '{ l = length($0); w = NF; s1 += l; s2 += w; if (l > m1) m1 = l;
	if (w > m2) m2 = w } END { print s1, s2 > "ref.sum"; print m1, m2 >"ref.max" }' big
for r in sum max; do
	cv run -q -i big -j 2 -c 64K --set job.reduce=$r \
	    -- awk '{ print length($0), NF }' >out 2>err
	want=$(cat ref.$r); got=$(cat out)
	if [ "$cv_rc" = 0 ] && [ "$got" = "$want" ]; then
		ok "big: reduce=$r over two columns (length, NF) = awk's ($got)"
	else
		bad "big: reduce=$r over two columns: got '$got' (exit $cv_rc), \
awk says '$want'"
	fi
done

finish
