#!/bin/bash
# 0157-install.t - make install, uninstall and purge into a DESTDIR:
#   install puts the binary, the man pages and the example config where
#   PREFIX/LIBEXECDIR/MANDIR/SYSCONFDIR say, and never overwrites a config;
#   uninstall removes the binary and the man pages (and the directories
#   install made, when empty) and keeps the config; purge removes the
#   config directory (keys included), the state directory, the log file
#   and the logrotate snippet, and nothing else.  And debian/control
#   build-depends on every package of the Makefile's DEB_BUILD.
. "${M2N_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/t/lib.sh"

[ "$M2N_PASS" = plain ] || skip_all "the install layout: plain pass only"
command -v make >/dev/null || skip_all "no make"
[ -x "$M2N_TOP/build/mail2note" ] || skip_all "build/mail2note not built"

# mk TARGET DESTDIR [VAR=VALUE...] - make in the source tree (not as a
# sub-make of the harness's make); output in $T/make.log
mk() {
	_t=$1 _d=$2
	shift 2
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$M2N_TOP" \
	    --no-print-directory "$_t" DESTDIR="$_d" "$@" >>"$T/make.log" 2>&1
}
# files DIR - every non-directory under DIR, relative, sorted, one a line
files() { (cd "$1" && find . -mindepth 1 ! -type d | sed 's|^\./||' | sort); }
# dirs DIR - every directory under DIR, relative, sorted
dirs() { (cd "$1" && find . -mindepth 1 -type d | sed 's|^\./||' | sort); }

MAN5=
[ -e "$M2N_TOP/gateway/mail2note.conf.5" ] && MAN5=mail2note.conf.5

# --- the default layout: PREFIX=/usr/local ------------------------------------
R=$T/root
mk install "$R"
ok $? "make install DESTDIR=..."
want="etc/mail2note/mail2note.conf
usr/local/libexec/mail2note
${MAN5:+usr/local/share/man/man5/$MAN5
}usr/local/share/man/man8/mail2note.8"
is "$(files "$R")" "$want" "install: binary, man pages, example config"
is "$(stat -c %a "$R/usr/local/libexec/mail2note")" 755 "the binary is 0755"
is "$(stat -c %a "$R/usr/local/share/man/man8/mail2note.8")" 644 \
    "the man page is 0644"
is "$(stat -c %a "$R/etc/mail2note/mail2note.conf")" 644 "the config is 0644"
cmp -s "$M2N_TOP/postfix/mail2note.conf" "$R/etc/mail2note/mail2note.conf"
ok $? "the config is postfix/mail2note.conf"

echo "# the admin's edit" >>"$R/etc/mail2note/mail2note.conf"
mk install "$R"
ok $? "make install again"
tail -n 1 "$R/etc/mail2note/mail2note.conf" | grep -q "the admin's edit"
ok $? "an existing config is kept"

mk uninstall "$R"
ok $? "make uninstall"
is "$(files "$R")" "etc/mail2note/mail2note.conf" \
    "uninstall: binary and man pages gone, the config kept"
dirs "$R" | grep -qE 'libexec|man8|man5'
[ $? -ne 0 ]
ok $? "uninstall: the emptied libexec and man directories are gone"
mk uninstall "$R"
ok $? "make uninstall of nothing succeeds"

# What an admin and mail2note add, and what purge must leave alone.
mk install "$R"
install -m 0600 /dev/null "$R/etc/mail2note/api.key"
install -m 0600 /dev/null "$R/etc/mail2note/address.key"
mkdir -p "$R/var/lib/mail2note/quarantine" "$R/etc/logrotate.d" "$R/var/log"
: >"$R/var/lib/mail2note/journal"
: >"$R/var/lib/mail2note/quarantine/x.eml"
: >"$R/etc/logrotate.d/mail2note"
: >"$R/var/log/mail2note.log"
: >"$R/var/log/mail2note.log.1.gz"
: >"$R/etc/logrotate.d/other"
: >"$R/var/log/syslog"
: >"$R/var/lib/other"
mk purge "$R"
ok $? "make purge"
is "$(files "$R")" "etc/logrotate.d/other
var/lib/other
var/log/syslog" "purge: config, keys, state, log and logrotate snippet gone, nothing else"
dirs "$R" | grep -q mail2note
[ $? -ne 0 ]
ok $? "purge: no mail2note directory left"

# --- the package's layout: PREFIX=/usr, LIBEXECDIR=/usr/libexec -------------
R=$T/pkgroot
mk install "$R" PREFIX=/usr LIBEXECDIR=/usr/libexec
ok $? "make install PREFIX=/usr LIBEXECDIR=/usr/libexec"
want="etc/mail2note/mail2note.conf
usr/libexec/mail2note
${MAN5:+usr/share/man/man5/$MAN5
}usr/share/man/man8/mail2note.8"
is "$(files "$R")" "$want" "the binary in /usr/libexec, man pages in /usr/share/man"
mk purge "$R" PREFIX=/usr LIBEXECDIR=/usr/libexec
ok $? "make purge PREFIX=/usr LIBEXECDIR=/usr/libexec"
is "$(files "$R")" "" "purge: no file left"
is "$(dirs "$R" | grep -E 'mail2note|libexec|man[58]')" "" \
    "purge: none of the directories install made is left"

# --- debian/control keeps up with the Makefile's build dependencies ------------
bd=$(sed -n '/^Build-Depends:/,/^[^ ]/p' "$M2N_TOP/debian/control" |
    sed 's/^Build-Depends://' | tr ',|' '\n\n' | sed 's/([^)]*)//; s/^ *//; s/ *$//')
missing=
for p in $(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$M2N_TOP" \
    --no-print-directory print-deb-build); do
	case $p in build-essential) continue ;; esac
	printf '%s\n' "$bd" | grep -qx "$p" || missing="$missing $p"
done
is "$missing" "" "debian/control Build-Depends has every package of the Makefile's DEB_BUILD (and Depends what the gateway needs at run time)"

done_testing
