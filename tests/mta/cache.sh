# cache.sh - the test cache of the real-MTA tests and what a test run
# created on the machine; sourced by tests/mta/deps-*.sh, common.sh and
# cleanup.sh (POSIX sh).
#
# M2N_CACHE (/var/cache/mail2note-test) holds the unpacked Debian packages
# (postfix/, exim/) and the file "created": one line "user NAME" or "group
# NAME" for each account a test run added, so that tests/mta/cleanup.sh
# removes those and never one that was there before.

M2N_CACHE=${M2N_CACHE:-/var/cache/mail2note-test}

# m2n_record KIND NAME - note that this run created the account NAME
m2n_record() {
	mkdir -p "$M2N_CACHE" && echo "$1 $2" >>"$M2N_CACHE/created"
}

# m2n_system_user NAME HOME - a system user NAME with its own group, unless
# it exists; recorded when created here
m2n_system_user() {
	getent passwd "$1" >/dev/null && return 0
	useradd --system --user-group --no-create-home --home-dir "$2" \
	    --shell /usr/sbin/nologin "$1" >/dev/null 2>&1 || {
		# Another test file may have made it meanwhile.
		getent passwd "$1" >/dev/null
		return
	}
	m2n_record user "$1"
}

# m2n_system_group NAME - a system group NAME, unless it exists; recorded
m2n_system_group() {
	getent group "$1" >/dev/null && return 0
	groupadd --system "$1" >/dev/null 2>&1 || {
		getent group "$1" >/dev/null
		return
	}
	m2n_record group "$1"
}

# m2n_deb_unpack PACKAGE DIR - Debian's PACKAGE .deb downloaded (apt-get
# download, no install) into DIR/deb and unpacked into DIR/root, replacing
# what was there; set-uid and set-gid bits dropped (the tests run as root)
m2n_deb_unpack() {
	mkdir -p "$2/deb" || return 1
	rm -f "$2/deb/$1"_*.deb
	(cd "$2/deb" && { apt-get download "$1" >/dev/null 2>&1 || {
		apt-get update -qq >/dev/null
		apt-get download "$1" >/dev/null 2>&1
	}; }) || { echo "mail2note: apt-get download $1 failed" >&2; return 1; }
	rm -rf "$2/root.new"
	mkdir -p "$2/root.new"
	for _du_deb in "$2"/deb/*.deb; do
		dpkg-deb -x "$_du_deb" "$2/root.new" || return 1
	done
	find "$2/root.new" -type f -perm /6000 -exec chmod ug-s {} +
	rm -rf "$2/root"
	mv "$2/root.new" "$2/root"
}

# m2n_deb_libs DEB - install (apt) the packages DEB depends on that are
# shared libraries (lib*) and missing: they conflict with nothing
m2n_deb_libs() {
	_dl_libs=
	for _dl_d in $(dpkg-deb -f "$1" Depends | tr ',' '\n' |
	    sed 's/|.*//; s/(.*)//; s/[[:space:]]//g'); do
		case $_dl_d in
		lib*) ;;
		*) continue ;;
		esac
		_dl_st=$(dpkg-query -W -f='${Status}' "$_dl_d" 2>/dev/null || true)
		case $_dl_st in
		*" installed") ;;
		*) _dl_libs="$_dl_libs $_dl_d" ;;
		esac
	done
	[ -z "$_dl_libs" ] && return 0
	echo "mail2note: installing$_dl_libs"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $_dl_libs >/dev/null 2>&1 || {
		apt-get update -qq >/dev/null
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		    --no-install-recommends $_dl_libs >/dev/null
	}
}
