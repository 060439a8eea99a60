# mail2note - GNU Makefile.
#
#   make            build build/mail2note
#   make deps       install the Debian packages needed to build (as root),
#                   or print the apt-get line to run
#   make demo       a real email becomes a note on a local fake helpdesk
#   make check      every test (unit, golden, corpus, fault table, real
#                   Postfix and Exim), then again under ASan+UBSan; as
#                   root it installs the build and test packages, unpacks
#                   (never installs) Postfix and Exim into
#                   /var/cache/mail2note-test, and removes that cache and
#                   the accounts it created at the end unless M2N_KEEP=1
#   make reliability  500 mails per mode through a real Postfix to a fake
#                   API failing 30 % of requests (honouring, then ignoring
#                   Idempotency-Key) and a 429 window: lost, duplicated,
#                   bounced... (as root; ~9 min; short form in make check)
#   make asan       the sanitizer build in build/asan/
#   make golden     regenerate tests/expected/ (review every diff!)
#   make lint       cppcheck + banned calls + mandoc/groff on the man pages
#   make install    PREFIX, DESTDIR, LIBEXECDIR, MANDIR, SYSCONFDIR honoured
#   make uninstall  remove the binary and the man pages (same variables)
#   make purge      uninstall, then the config directory (API key
#                   included), the state directory and the log file
#   make deb        the Debian package build/mail2note_VERSION_ARCH.deb
#                   (unsigned, dpkg-buildpackage in a copy of the tree)

VERSION = 0.1.0

PREFIX ?= /usr/local
LIBEXECDIR ?= $(PREFIX)/libexec
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
# Only make purge uses these: mail2note's defaults ([delivery] state_dir,
# the [log] file path the logrotate snippet names).
STATEDIR ?= /var/lib/mail2note
LOGFILE ?= /var/log/mail2note.log

CC ?= cc
CFLAGS ?= -O2 -g
PKG_CONFIG ?= pkg-config
PKGS = gmime-3.0 libcurl json-c libsodium gumbo uchardet libytnef

# Debian packages: to build, and (extra) to run the whole test suite.
DEB_BUILD = build-essential pkg-config libgmime-3.0-dev libcurl4-openssl-dev \
	libjson-c-dev libsodium-dev libgumbo-dev libglib2.0-dev libuchardet-dev \
	libytnef0-dev shared-mime-info
# opendkim, python3-dkim and dnsmasq-base: the real milter of the Postfix
# test (tests/t/0500-mta-postfix.t): opendkim verifies a mail the test
# signs with dkimpy, reading the key from a dnsmasq on 127.0.0.1.  No MTA
# package: Postfix and Exim are unpacked into the test cache
# (tests/mta/deps-postfix.sh, deps-exim.sh), never installed.
DEB_TEST = perl python3 swaks mandoc cppcheck openssl curl time \
	opendkim python3-dkim dnsmasq-base
# To build the Debian package (make deb) and check it (lintian); the test
# tests/t/0530-mta-deb.t builds, installs and purges it.
DEB_PKG = debhelper dpkg-dev lintian

# mail2note refuses to run as root; the tests, the demo and the benchmarks
# run it directly, and CI runs them as root in a throw-away container.
# (The MTA tests run it as an unprivileged user, without this.)
export MAIL2NOTE_ALLOW_ROOT = 1

BUILDDIR ?= build
# Compilers run at once in make check (one per CPU).
NPROC := $(shell nproc 2>/dev/null || echo 2)
# No -Wcast-qual: GLib's g_utf8_next_char() macro casts const away, and it
# expands in our code.
WARN = -Wall -Wextra -Wformat=2 -Wshadow -Wpointer-arith \
	-Wwrite-strings -Wstrict-prototypes -Wmissing-prototypes \
	-Wmissing-declarations -Werror=implicit-function-declaration \
	-fno-common
# -Werror only where the compiler is ours (make check, check-fast, asan:
# CI, developers), not in the plain `make` a user runs with a newer
# compiler that warns about something new (OpenSMTPD: "breaks some
# archs").  make WERROR=-Werror to have it anyway.
WERROR ?=
HARDEN = -fstack-protector-strong -D_FORTIFY_SOURCE=2
SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
# uchardet is not linked: charset.c loads it with dlopen() when a text
# needs guessing (it is C++, and would bring libstdc++ to every start).
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(filter-out uchardet,$(PKGS)) \
	2>/dev/null)

override CFLAGS += -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	$(WARN) $(WERROR) $(HARDEN) -Iinclude $(PKG_CFLAGS) \
	-DMAIL2NOTE_VERSION='"$(VERSION)"' -MMD -MP $(EXTRA_CFLAGS)
override LDLIBS += $(PKG_LIBS)
# Link only the libraries the code calls (gmime-3.0.pc also names gio,
# which GMime loads itself): each one costs the dynamic linker at every
# start, and most mails are small.
override LDFLAGS += -Wl,--as-needed $(EXTRA_LDFLAGS)

SRCS := $(wildcard gateway/*.c)
OBJS := $(SRCS:gateway/%.c=$(BUILDDIR)/%.o)
LIBOBJS := $(filter-out $(BUILDDIR)/main.o,$(OBJS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILDDIR)/%)

.PHONY: bench reliability print-cflags print-libs print-deb-build all deps deps-test check check-fast demo asan golden lint fuzz \
	install uninstall purge deb deps-deb clean pkgcheck units

all: pkgcheck $(BUILDDIR)/mail2note

# Fail early, naming the packages, when a library is missing.
pkgcheck:
	@$(PKG_CONFIG) --exists $(PKGS) || { \
	  echo "mail2note: missing build dependencies; run 'make deps'" \
	       "or: apt-get install $(DEB_BUILD)" >&2; exit 1; }

# Start-up order.  The dynamic linker looks each symbol up library by
# library in load order, and the libraries most looked up come last: they
# are dependencies of dependencies (OpenSSL's libcrypto alone binds 4,000
# references, most to itself, behind 30 libraries).  The binary is linked,
# then linked again naming first those of LINK_FIRST that it loads (ldd),
# most looked-up first.  The same libraries load and every symbol binds to
# the same definition (LD_DEBUG=bindings lists are identical; none of the
# symbols defined twice changes owner); an 8.8 KB reply runs a quarter
# fewer instructions (callgrind) and about 1 ms less wall on the 2-CPU VM,
# where page faults, not lookups, are most of a start.  Without ldd, or on
# a system with other sonames, the first link stands.
LINK_FIRST = libcrypto.so.3 libc.so.6 libglib-2.0.so.0 libgnutls.so.30 \
	libnettle.so.8 libunistring.so.2 libgmime-3.0.so.0 libldap-2.5.so.0 \
	libhogweed.so.6 libmount.so.1 libssl.so.3 libgobject-2.0.so.0

$(BUILDDIR)/mail2note: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)
	@loaded=" $$(ldd $@ 2>/dev/null | awk '{ printf "%s ", $$1 }')"; \
	first=; for l in $(LINK_FIRST); do \
	  case $$loaded in *" $$l "*) first="$$first -l:$$l";; esac; \
	done; \
	test -z "$$first" || { echo "relink, searched first:$$first"; \
	  $(CC) $(CFLAGS) $(LDFLAGS) -Wl,--push-state,--no-as-needed $$first \
	    -Wl,--pop-state -o $@ $(OBJS) $(LDLIBS); }

# CPPFLAGS: dpkg-buildflags puts -D_FORTIFY_SOURCE there (debian/rules).
$(BUILDDIR)/%.o: gateway/%.c | $(BUILDDIR)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILDDIR)/test_%: tests/unit/test_%.c $(LIBOBJS) | $(BUILDDIR)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(LIBOBJS) $(LDLIBS)

$(BUILDDIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/driver.c $(LIBOBJS) \
    | $(BUILDDIR)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/driver.c $(LIBOBJS) \
	    $(LDLIBS)

$(BUILDDIR):
	mkdir -p $@

units: all $(UNIT_BINS) $(BUILDDIR)/fuzz_message $(BUILDDIR)/fuzz_authres \
    $(BUILDDIR)/fuzz_charset

# libFuzzer builds (clang): build/fuzz/fuzz_message, fuzz_authres and
# fuzz_charset; see the echoes for a run.
FUZZ_OBJS = $(LIBOBJS:$(BUILDDIR)/%=build/fuzz/%)
fuzz:
	$(MAKE) BUILDDIR=build/fuzz CC=clang CFLAGS="-O1 -g" \
	    EXTRA_CFLAGS="-fsanitize=fuzzer-no-link,address,undefined" \
	    $(FUZZ_OBJS)
	for t in message authres charset; do \
	    clang -O1 -g -Iinclude $(PKG_CFLAGS) \
	    -fsanitize=fuzzer,address,undefined -o build/fuzz/fuzz_$$t \
	    tests/fuzz/fuzz_$$t.c $(FUZZ_OBJS) $(LDLIBS) || exit 1; \
	done
	@echo "run: build/fuzz/fuzz_message -dict=tests/fuzz/message.dict" \
	    "-max_total_time=300 build/fuzz/corpus samples"
	@echo "run: build/fuzz/fuzz_authres -dict=tests/fuzz/authres.dict" \
	    "-max_total_time=300 build/fuzz/corpus-authres"
	@echo "run: build/fuzz/fuzz_charset -dict=tests/fuzz/charset.dict" \
	    "-max_total_time=300 build/fuzz/corpus-charset"

deps:
	@sh tests/deps.sh build $(DEB_BUILD)

deps-test:
	@sh tests/deps.sh test $(DEB_BUILD) $(DEB_TEST) $(DEB_PKG)

deps-deb:
	@sh tests/deps.sh build $(DEB_BUILD) $(DEB_PKG)

asan:
	$(MAKE) BUILDDIR=build/asan CFLAGS="-O1 -g" WERROR=-Werror \
	    EXTRA_CFLAGS="$(SAN_FLAGS)" EXTRA_LDFLAGS="$(SAN_FLAGS)" units

demo: deps
	$(MAKE) all
	bash tests/demo.sh

# The whole suite: the plain build, then the sanitizer build.  At the end,
# even when something failed (the status is kept), tests/mta/cleanup.sh
# removes the test accounts this run created and the MTA cache, unless
# M2N_KEEP=1: the harness runs it before its summary line (the last line,
# which CI reads), a failed build here.
check: deps-test
	@rc=0; \
	$(MAKE) -j$(NPROC) WERROR=-Werror units && \
	$(MAKE) -j$(NPROC) WERROR=-Werror asan || rc=$$?; \
	if [ $$rc -ne 0 ]; then sh tests/mta/cleanup.sh; exit $$rc; fi; \
	M2N_CLEANUP=1 perl tests/harness.pl

# The plain build only, no real MTAs: the quick loop while coding.
check-fast:
	$(MAKE) -j$(NPROC) WERROR=-Werror units
	M2N_PASSES=plain M2N_SKIP_MTA=1 perl tests/harness.pl

# Speed and memory figures (no assertions on time).
bench: all
	python3 tests/bench.py

# The reliability benchmark (issue 6): real Postfix, faults, a 429 window;
# fails on a lost, bounced or still queued mail, a duplicate the API's
# Idempotency-Key does not excuse, or a POST during the 429 window.
# Options: RELIABILITY_ARGS="-n MAILS -r RATE -s SEED -w SECONDS".
reliability: all
	sh tests/mta/deps-postfix.sh
	bash tests/reliability.sh $(RELIABILITY_ARGS)

golden: all
	sh tests/golden.sh --update

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --std=c11 --library=gtk -Iinclude gateway
	@! grep -nE '\<(sprintf|strcpy|strcat|strncpy|strtok|atoi|gets|system|popen)[[:space:]]*\(' \
	    gateway/*.c || { echo "banned call above" >&2; exit 1; }
	mandoc -Tlint -W warning gateway/mail2note.8 gateway/mail2note.conf.5
	@# groff (what man(1) uses on Debian) must render both without a warning
	@! command -v groff >/dev/null || for m in gateway/mail2note.8 \
	    gateway/mail2note.conf.5; do \
	  w=$$(groff -mandoc -Tutf8 -ww -z $$m 2>&1); \
	  [ -z "$$w" ] || { echo "$$m: $$w" >&2; exit 1; }; \
	done

# mail2note.conf(5), when the tree has it.
MAN5 := $(wildcard gateway/*.5)

install: all
	install -d $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(SYSCONFDIR)/mail2note
	install -m 0755 $(BUILDDIR)/mail2note $(DESTDIR)$(LIBEXECDIR)/mail2note
	install -m 0644 gateway/mail2note.8 $(DESTDIR)$(MANDIR)/man8/mail2note.8
	$(if $(MAN5),install -d $(DESTDIR)$(MANDIR)/man5 && \
	    install -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/)
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/mail2note/mail2note.conf ]; then \
	  echo "keeping existing $(SYSCONFDIR)/mail2note/mail2note.conf"; \
	else \
	  install -m 0644 postfix/mail2note.conf \
	      $(DESTDIR)$(SYSCONFDIR)/mail2note/mail2note.conf; \
	fi

# not_packaged PATH... - fail when, on the real system (no DESTDIR), the
# Debian package owns one of the paths: apt-get removes those, not make.
not_packaged = @if [ -z "$(DESTDIR)" ] && command -v dpkg-query >/dev/null && \
	    dpkg-query -S $(1) >/dev/null 2>&1; then \
	  echo "mail2note: installed by the Debian package:" \
	      "apt-get remove mail2note (or purge), not make" >&2; \
	  exit 1; \
	fi

# The binary and the man pages, then the directories install made when
# they are left empty (rmdir never removes a directory that holds
# anything).  The configuration and the state stay: make purge.
uninstall:
	$(call not_packaged,$(LIBEXECDIR)/mail2note)
	rm -f $(DESTDIR)$(LIBEXECDIR)/mail2note \
	    $(DESTDIR)$(MANDIR)/man8/mail2note.8 \
	    $(DESTDIR)$(MANDIR)/man5/mail2note.conf.5
	@for d in $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man5; do \
	  [ ! -d "$$d" ] || rmdir "$$d" 2>/dev/null || true; \
	done

# Also the configuration directory (the API key and address keys with
# it), the state directory (journal, quarantine), the log file and its
# logrotate snippet.  make install creates no user: remove the one you
# made (README, Uninstall) yourself, with the MTA entries.
purge: uninstall
	$(call not_packaged,$(SYSCONFDIR)/mail2note)
	rm -rf $(DESTDIR)$(SYSCONFDIR)/mail2note $(DESTDIR)$(STATEDIR)
	rm -f $(DESTDIR)$(SYSCONFDIR)/logrotate.d/mail2note \
	    $(DESTDIR)$(LOGFILE) $(DESTDIR)$(LOGFILE).*

# The Debian package: dpkg-buildpackage -us -uc -b (unsigned, binary only)
# in a copy of the tree in build/deb-src, so that the package is built from
# a clean tree and its files land outside it; the .deb (and the -dbgsym
# .ddeb) are moved to build/.  Rebuilt only when a source changed.
# DEB_BUILD_OPTIONS=nocheck skips the unit tests of the build.
DEB_BUILD_OPTIONS ?= parallel=2
DEB_VERSION = $(shell dpkg-parsechangelog -l debian/changelog -S Version 2>/dev/null)
DEB_ARCH = $(shell dpkg --print-architecture 2>/dev/null)
DEB_FILE = build/mail2note_$(DEB_VERSION)_$(DEB_ARCH).deb
DEB_SRCS = Makefile README.md $(SRCS) $(MAN5) gateway/mail2note.8 \
	$(wildcard include/*.h postfix/* debian/* debian/source/*)

deb: deps-deb
	$(MAKE) $(DEB_FILE)
	@echo "built $(DEB_FILE)"

$(DEB_FILE): $(DEB_SRCS)
	rm -rf build/deb-src
	mkdir -p build/deb-src/mail2note-$(VERSION)
	tar -cf - --exclude=./build --exclude=./.git . | \
	    tar -xf - -C build/deb-src/mail2note-$(VERSION)
	cd build/deb-src/mail2note-$(VERSION) && \
	    DEB_BUILD_OPTIONS="$(DEB_BUILD_OPTIONS)" \
	    dpkg-buildpackage -us -uc -b
	mv build/deb-src/*.deb build/
	for f in build/deb-src/*.ddeb; do \
	  [ ! -e "$$f" ] || mv "$$f" build/; \
	done
	rm -rf build/deb-src/mail2note-$(VERSION)

clean:
	rm -rf build

-include $(OBJS:.o=.d) $(UNIT_BINS:=.d)

# For building one test by hand: cc $$(make -s print-cflags) ... $$(make -s print-libs)
print-cflags:
	@echo $(CFLAGS)
print-libs:
	@echo $(LDLIBS)
# For tests/t/0157-install.t: debian/control must build-depend on these.
print-deb-build:
	@echo $(DEB_BUILD)
