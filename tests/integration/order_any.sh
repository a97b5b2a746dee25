# order_any.sh: with job.order = any every chunk's result is delivered
# exactly once, whole, in some order: the output sorted equals
# `tr a-z A-Z | sort` of the input, line for line (no line lost, doubled or
# cut). Also order = keep stays byte-identical when chunks finish out of order.
. "$SRCDIR/tests/integration/lib.inc"

awk 'BEGIN { for (i = 0; i < 40000; i++)
	printf "%06d %s\n", i, substr("abcdefghijklmnopqrstuvwxyz", 1 + i % 26) }' \
    >in
tr a-z A-Z <in | sort >ref.sorted
tr a-z A-Z <in >ref

# check DESC: exit status 0, output sorted equals ref.sorted.
check_sorted() {
	if [ "$cv_rc" != 0 ]; then
		bad "$1: exit status $cv_rc, expected 0"
		head -n 5 err
		return
	fi
	sort out >out.sorted
	if cmp -s ref.sorted out.sorted; then
		if cmp -s ref out; then how="happened to be in input order"
		else how="not in input order"; fi
		ok "$1: sorted output equals sorted tr a-z A-Z ($(wc -l <out | \
		    tr -d ' ') lines, $how)"
	else
		bad "$1: sorted output differs ($(wc -l <out | tr -d ' ') lines \
vs $(wc -l <ref.sorted | tr -d ' '); $(cmp ref.sorted out.sorted 2>&1 | \
		    head -n 1))"
	fi
}

cv run -q -i in -o out -j 2 -c 4K --set job.order=any -- tr a-z A-Z 2>err
check_sorted "order=any -c 4K -j 2, tr"
cv run -q -i in -o out -j 3 -c 1K --set job.order=any \
    --set workers.program=upper 2>err
check_sorted "order=any -c 1K -j 3, program=upper"
cv run -q -i in -j 2 -c 8K --set job.order=any -- tr a-z A-Z >out 2>err
check_sorted "order=any to stdout"

# Chunks whose line number ends in 0 take longer, so later chunks finish
# first: any order may differ from input order, keep must not.
slow='read l; case $l in *0\ *) sleep 0.05;; esac; { echo "$l"; cat; } | tr a-z A-Z'
awk 'NR <= 2000' in >in2
tr a-z A-Z <in2 | sort >ref.sorted
tr a-z A-Z <in2 >ref
cv run -q -i in2 -o out -j 2 -c 200 --set job.order=any -- sh -c "$slow" 2>err
check_sorted "order=any, uneven chunk times"
cv run -q -i in2 -o out -j 2 -c 200 -- sh -c "$slow" 2>err
if [ "$cv_rc" = 0 ] && cmp -s ref out; then
	ok "order=keep, uneven chunk times: byte-identical to tr a-z A-Z"
else
	bad "order=keep, uneven chunk times: exit $cv_rc, $(cmp ref out 2>&1 | \
	    head -n 1)"
fi

finish
