# lib.sh - TAP helpers for the shell tests in tests/t/ (bash).
#
# The harness (tests/harness.pl) sets:
#   M2N_TOP    the source tree
#   M2N_BIN    the mail2note binary under test (plain or sanitizer build)
#   M2N_PASS   "plain" or "asan"
# Each test file: `. "$M2N_TOP/tests/t/lib.sh"`, then plan/ok/is..., and
# done_testing at the end.  skip_all prints the TAP plan "1..0 # SKIP why"
# and exits 0: the harness counts the file as skipped.

: "${M2N_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${M2N_BIN:=$M2N_TOP/build/mail2note}"
: "${M2N_PASS:=plain}"
export M2N_TOP M2N_BIN M2N_PASS
# The tests run the binary directly, as root in CI (see the Makefile).
export MAIL2NOTE_ALLOW_ROOT="${MAIL2NOTE_ALLOW_ROOT-1}"

# ASan: leaks are errors, and the fake's own interpreter is not ours.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$M2N_TOP/tests/lsan.supp:print_suppressions=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=98}"

_tap_n=0
_tap_fail=0
_tap_planned=

# Not under /tmp: mail2note refuses a config or key in a directory that
# others can write (safefile_check_path() in gateway/safefile.c), and /tmp
# is one.
# tests/tmpbase.sh picks a safe base; children (python, golden.sh) reuse it.
M2N_TMP_BASE=$(sh "$M2N_TOP/tests/tmpbase.sh") ||
    { echo "Bail out! no safe directory for temporary files"; exit 1; }
export M2N_TMP_BASE
T=$(mktemp -d "$M2N_TMP_BASE/m2n-test.XXXXXX")
_cleanups=
# at_exit CMD - run CMD when the test ends (LIFO)
at_exit() { _cleanups="$1;$_cleanups"; }
_lib_exit() {
	eval "$_cleanups" 2>/dev/null
	rm -rf "$T"
}
trap _lib_exit EXIT
trap 'exit 1' INT TERM

plan() { _tap_planned=$1; echo "1..$1"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

# ok COND-EXIT-STATUS DESCRIPTION: ok [ "$a" = "$b" ] "a is b" is not
# possible in sh; use: [ ... ]; ok $? "desc"
ok() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_fail=$((_tap_fail + 1))
	fi
}

# is GOT WANT DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "got:  '$1'" "want: '$2'"
	fi
}

# like GOT GLOB DESCRIPTION (shell pattern match)
like() {
	# shellcheck disable=SC2254
	case $1 in
	$2) ok 0 "$3" ;;
	*) ok 1 "$3"; diag "got:  '$1'" "want like: '$2'" ;;
	esac
}

# skip N REASON
skip() {
	_i=0
	while [ "$_i" -lt "$1" ]; do
		_tap_n=$((_tap_n + 1))
		echo "ok $_tap_n # skip $2"
		_i=$((_i + 1))
	done
}

done_testing() {
	[ -n "$_tap_planned" ] || echo "1..$_tap_n"
	[ "$_tap_fail" -eq 0 ]
	exit $?
}

# Keys the fake helpdesk knows (tests/stub/helpdesk.py).
KEY_RW=ixk_test_rw_4f9c2a7e1b
KEY_RO=ixk_test_ro_8d1e5b3c70
KEY_NOENT=ixk_test_noent_2a6f9e
KEY_REVOKED=ixk_test_revoked_7c3b1d

# fake_start [helpdesk.py options] - start the fake helpdesk on 127.0.0.1
# with a random port; sets FAKE_PID FAKE_PORT FAKE_URL FAKE_DIR.  It is
# stopped by PID when the test ends, and stops itself after its lifetime.
fake_start() {
	FAKE_DIR=$T/fake
	mkdir -p "$FAKE_DIR"
	python3 "$M2N_TOP/tests/stub/helpdesk.py" --port-file "$FAKE_DIR/port" \
	    --record "$FAKE_DIR" --lifetime 600 "$@" \
	    >"$FAKE_DIR/stdout" 2>"$FAKE_DIR/stderr" &
	FAKE_PID=$!
	at_exit "kill $FAKE_PID 2>/dev/null; wait $FAKE_PID 2>/dev/null"
	_i=0
	while [ ! -s "$FAKE_DIR/port" ] && [ "$_i" -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	FAKE_PORT=
	[ -s "$FAKE_DIR/port" ] && FAKE_PORT=$(<"$FAKE_DIR/port")
	[ -n "$FAKE_PORT" ] || { echo "Bail out! fake helpdesk did not start"; cat "$FAKE_DIR/stderr" >&2; exit 1; }
	FAKE_URL=http://127.0.0.1:$FAKE_PORT
}

# fake_start_tls [helpdesk.py options] - a fake over TLS, started like
# fake_start (in $T/tls), with a fresh self-signed certificate for
# localhost and 127.0.0.1 in $T/tls.crt (its key in $T/tls.key).  Fails,
# starting nothing, when openssl cannot make the certificate.
fake_start_tls() {
	# P-256: an RSA key costs ten times the CPU, and proves no more here.
	command -v openssl >/dev/null 2>&1 && openssl req -x509 -newkey ec \
	    -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
	    -subj /CN=localhost -addext \
	    "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$T/tls.key" \
	    -out "$T/tls.crt" >/dev/null 2>&1 || return 1
	_tls_t=$T
	T=$T/tls
	mkdir -p "$T"
	fake_start --tls-cert "$_tls_t/tls.crt" --tls-key "$_tls_t/tls.key" "$@"
	T=$_tls_t
}

# fake_ctl PATH [JSON] - talk to the fake's control endpoint: print the
# answer; fail on an HTTP error.  curl(1) when there is one: a python3
# start costs six times as much, and the tests call this hundreds of times.
fake_ctl() {
	if command -v curl >/dev/null 2>&1; then
		# -q: no ~/.curlrc; no proxy for the loopback fake.
		curl -q -sS -f --noproxy '*' --max-time 10 \
		    ${2:+-X POST --data-binary "$2"} "$FAKE_URL$1" &&
		    echo
		return
	fi
	python3 - "$FAKE_URL" "$1" "${2:-}" <<'PY'
import sys, urllib.request
url, path, body = sys.argv[1], sys.argv[2], sys.argv[3]
req = urllib.request.Request(url + path, data=body.encode() if body else None,
                             method="POST" if body else "GET")
print(urllib.request.urlopen(req, timeout=10).read().decode())
PY
}

# mk_conf [KEY] [EXTRA-INI-LINES...] - write $T/mail2note.conf and a 0600
# key file for FAKE_URL (or M2N_BASE_URL), with [delivery] state_dir =
# $T/state (or M2N_STATE_DIR; mail2note creates it) and [log] file =
# $T/mail2note.log (or M2N_LOG_FILE; empty: no [log] group, so that
# --check-config and -v warn when /dev/log is missing); sets M2N_CONF.
mk_conf() {
	_key=${1:-$KEY_RW}
	[ $# -gt 0 ] && shift
	printf '%s\n' "$_key" >"$T/api.key"
	chmod 600 "$T/api.key"
	{
		echo "[api]"
		echo "base_url = ${M2N_BASE_URL:-${FAKE_URL:-http://127.0.0.1:9}}"
		echo "key_file = $T/api.key"
		echo "timeout = ${M2N_TIMEOUT:-10}"
		echo "connect_timeout = 5"
		for _l in "$@"; do echo "$_l"; done
		# Never the default /var/lib/mail2note: each test its own.
		# [delivery] last: some tests append lines to it.
		if [ -n "${M2N_LOG_FILE-$T/mail2note.log}" ]; then
			echo "[log]"
			echo "file = ${M2N_LOG_FILE-$T/mail2note.log}"
		fi
		echo "[delivery]"
		echo "state_dir = ${M2N_STATE_DIR:-$T/state}"
	} >"$T/mail2note.conf"
	chmod 644 "$T/mail2note.conf"	# whatever the umask: o+w is refused
	M2N_CONF=$T/mail2note.conf
}

# run_gw [ARGS...] < message - run the binary with M2N_CONF; sets RC, OUT
# (stdout) and ERR (stderr) and keeps them in $T/out and $T/err.
run_gw() {
	"$M2N_BIN" -c "$M2N_CONF" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(<"$T/out")
	ERR=$(<"$T/err")
}

# json_get FILE EXPR - print a value from a JSON file: json_get f '["body_text"]'
json_get() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval("d"+sys.argv[2]))' "$1" "$2"
}
