# systemd_unit.sh: the shipped unit conf/chunkvisor@.service passes
# `systemd-analyze verify` without a word on stderr (a warning fails too,
# not only a non-zero exit). A template cannot be verified as it is: a copy
# named chunkvisor@test.service is, with ExecStart pointed at the build's
# chunkvisor (verify wants the program to exist) and the man pages of
# Documentation= found in the source tree. A copy with a misspelt key must
# draw a complaint, or the check proves nothing. Skipped without
# systemd-analyze.
. "$SRCDIR/tests/integration/lib.inc"

unit=$SRCDIR/conf/chunkvisor@.service
[ -r "$unit" ] || die "no $unit"
command -v systemd-analyze >/dev/null || skip "systemd-analyze missing"

# make install substitutes this literal path; it must be there as it is.
grep -q '^ExecStart=/usr/local/bin/chunkvisor run ' "$unit" &&
    ok "ExecStart= runs /usr/local/bin/chunkvisor (what make install substitutes)" ||
    bad "ExecStart= does not start with /usr/local/bin/chunkvisor run: \
$(grep '^ExecStart=' "$unit")"

mkdir units
sed "s|/usr/local/bin/chunkvisor|$CV|g" "$unit" >units/chunkvisor@test.service
grep -q "^ExecStart=$CV run " units/chunkvisor@test.service ||
    die "could not point ExecStart= at $CV"

# Documentation= names man:chunkvisor(1) and man:chunkvisor.ini(5); verify
# runs man(1) on each. The pages are not installed: show man the tree's.
# Without man(1) that check cannot be made at all.
if command -v man >/dev/null; then
	mkdir -p man/man1 man/man3 man/man5
	for p in "$SRCDIR"/man/*.[0-9]; do
		s=${p##*.}
		ln -s "$p" "man/man$s/"
	done
	MANPATH=$PWD/man
	export MANPATH
	manopt=--man=yes
	mandesc="Documentation= pages found"
else
	manopt=--man=no
	mandesc="man(1) missing, Documentation= not checked"
fi

# verify UNIT ERRFILE: systemd-analyze verify, bounded; sets vrc.
verify() {
	timeout -k 5 30 systemd-analyze verify "$manopt" "$1" >"$2.out" 2>"$2"
	vrc=$?
}

verify units/chunkvisor@test.service err
if [ "$vrc" = 0 ] && [ ! -s err ] && [ ! -s err.out ]; then
	ok "systemd-analyze verify: clean ($mandesc)"
else
	bad "systemd-analyze verify: exit $vrc ($mandesc); it said:"
	sed 's/^/    /' err.out err
fi

# The check can fail: a misspelt key is reported.
mkdir broken
sed 's/^KillMode=/KilMode=/' units/chunkvisor@test.service \
    >broken/chunkvisor@test.service
verify broken/chunkvisor@test.service err2
grep -q 'KilMode' err2 &&
    ok "systemd-analyze verify: a misspelt key is reported" ||
    bad "systemd-analyze verify: silent on a misspelt key (exit $vrc: \
$(head -c 300 err2))"
finish
