# tr.sh: `chunkvisor run -- tr a-z A-Z` (and the upper program) gives output
# byte-identical to `tr a-z A-Z` run on the whole input, for awkward inputs
# (empty, one byte, no final newline, a line longer than a chunk, CRLF, NUL
# bytes, random binary, several MB of text), many chunk sizes, both splits,
# and input/output through files, stdin redirection, a pipe and stdout.
. "$SRCDIR/tests/integration/lib.inc"

# Fixtures.
: >empty
printf x >onebyte
printf 'abc\ndef\n\nlast line, no newline' >nonl
awk 'BEGIN { print "short first line"
	for (i = 0; i < 30000; i++) printf "abcdefghij"; print ""
	print "middle"
	for (i = 0; i < 30000; i++) printf "klmnopqrst"
}' >longline				# a 300K line, then one without \n
awk 'BEGIN { for (i = 0; i < 5000; i++)
	printf "line %d of some crlf text\r\n%s", i, (i % 7 ? "" : "\r\n") }' \
    >crlf
python3 -c '
import sys, random
r = random.Random(7)
out = bytearray()
for i in range(1500):
    n = r.randrange(0, 40)
    out += bytes(r.choice(b"ab\0\0cZ \t") for _ in range(n))
    out += b"\n" if r.randrange(5) else b"\0\n"
sys.stdout.buffer.write(bytes(out))
' >nul
head -c 2M /dev/urandom >binary
awk 'BEGIN { for (i = 0; i < 120000; i++)
	printf "%d %s the quick brown fox jumps over the lazy dog %x\n", i,
	    substr("abcdefghijklmnopqrstuvwxyz", 1 + i % 26), i * 7919 }' >large
awk 'BEGIN { for (i = 0; i < 300; i++)
	printf "%s%d\n", substr("mixed Case words and more", 1 + i % 20), i }' \
    >small
awk 'BEGIN { for (i = 0; i < 1200; i++)
	printf "%*s%d\n", i % 61, "", i }' | tr ' ' 'y' >medium

for f in empty onebyte nonl longline crlf nul binary large small medium; do
	tr a-z A-Z <"$f" >"$f.ref"
done
say "fixtures: $(wc -c empty onebyte nonl longline crlf nul binary large \
    small medium | awk '$2 != "total" { printf "%s=%s ", $2, $1 }')"

# check DESC FILE OUTPUT: the run's exit status and output against FILE.ref.
check() {
	if [ "$cv_rc" != 0 ]; then
		bad "$1: exit status $cv_rc, expected 0"
		sed 's/^/    stderr: /' err | head -n 5
	elif ! cmp -s "$2.ref" "$3"; then
		bad "$1: output differs from tr a-z A-Z ($(cmp "$2.ref" "$3" \
		    2>&1 | head -n 1))"
	else
		ok "$1: identical to tr a-z A-Z ($(wc -c <"$3" | tr -d ' ') bytes)"
	fi
	rm -f out
}

# The awkward inputs at -c 64K, -j 2, file in, file out.
for f in empty onebyte nonl longline crlf nul binary large; do
	cv run -q -i "$f" -o out -j 2 -c 64K -- tr a-z A-Z 2>err
	check "$f -c 64K -j 2" "$f" out
done

# Chunk sizes, small to larger than the file.
cv run -q -i small -o out -j 2 -c 1 -- tr a-z A-Z 2>err
check "small -c 1" small out
cv run -q -i onebyte -o out -j 2 -c 1 -- tr a-z A-Z 2>err
check "onebyte -c 1" onebyte out
cv run -q -i nonl -o out -j 2 -c 1 -- tr a-z A-Z 2>err
check "nonl -c 1" nonl out
for c in 1 7 4096 1M; do
	cv run -q -i medium -o out -j 2 -c "$c" -- tr a-z A-Z 2>err
	check "medium -c $c" medium out
done
for c in 7 4096 1M; do
	cv run -q -i nul -o out -j 3 -c "$c" -- tr a-z A-Z 2>err
	check "nul -c $c -j 3" nul out
done
cv run -q -i large -o out -j 1 -c 16K -- tr a-z A-Z 2>err
check "large -c 16K -j 1" large out
cv run -q -i longline -o out -j 2 -c 7 -- tr a-z A-Z 2>err
check "longline -c 7" longline out

# split = bytes cuts anywhere; tr works byte by byte, so still identical.
cv run -q -i binary -o out -j 2 -c 4097 --split bytes -- tr a-z A-Z 2>err
check "binary --split bytes -c 4097" binary out
cv run -q -i nonl -o out -j 2 -c 1 --split bytes -- tr a-z A-Z 2>err
check "nonl --split bytes -c 1" nonl out

# The upper program is tr a-z A-Z without a process per chunk.
for f in empty binary crlf large; do
	cv run -q -i "$f" -o out -j 2 -c 4K --set workers.program=upper 2>err
	check "$f program=upper -c 4K" "$f" out
done

# Standard input (a file, a pipe) and standard output.
cv run -q -o out -j 2 -c 32K -- tr a-z A-Z <large 2>err
check "large from stdin (<file)" large out
cv run -q -i - -o out -j 2 -c 4K -- tr a-z A-Z <binary 2>err
check "binary from -i - (<file)" binary out
cat large | { cv run -q -o out -j 2 -c 64K -- tr a-z A-Z 2>err; \
    echo "$cv_rc" >rc; }
cv_rc=$(cat rc)
check "large through a pipe" large out
cat empty | { cv run -q -o out -j 2 -c 64K -- tr a-z A-Z 2>err; \
    echo "$cv_rc" >rc; }
cv_rc=$(cat rc)
check "empty through a pipe" empty out
cv run -q -i crlf -o - -j 2 -c 1K -- tr a-z A-Z >out 2>err
check "crlf to stdout (-o -)" crlf out
cv run -q -i nul -j 2 -c 1K -- tr a-z A-Z >out 2>err
check "nul to stdout (default)" nul out
cat binary | { cv run -q -j 2 -c 3K --split bytes -- tr a-z A-Z >out \
    2>err; echo "$cv_rc" >rc; }
cv_rc=$(cat rc)
check "binary pipe to stdout --split bytes" binary out
cat longline | { cv run -q -o - -j 2 -c 1 -- tr a-z A-Z >out 2>err; \
    echo "$cv_rc" >rc; }
cv_rc=$(cat rc)
check "longline pipe to stdout -c 1" longline out

# Stdout into a pipe that is read slowly still gets every byte in order.
{ cv run -q -i large -j 2 -c 64K -- tr a-z A-Z 2>err; echo "$cv_rc" >rc; } |
    { sleep 0.3; cat; } >out
cv_rc=$(cat rc)
check "large to a slow pipe" large out

finish
