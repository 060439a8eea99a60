/*
 * test_conf.c - config files good and bad, defaults, URLs, patterns and
 * the example file (the key files: test_keyfile.c; the path rule itself:
 * test_safefile.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "conf.h"
#include "policy.h"
#include "secret.h"
#include "tap.h"
#include "fixture.h"

#define BASE "[api]\nbase_url = https://helpdesk.example.com\n"
#define NAME "t.conf"
#define PRE "config " NAME ": "

static const struct data_case {
	const char *name;
	const char *data;
	const char *want_err;	/* NULL: must load */
	bool prefix;		/* want_err is a prefix only */
	const char *want_url;	/* when it loads: base_url */
	uint64_t want_msg_size;	/* when non-zero: max_message_size */
	uint64_t want_note_size; /* when non-zero: max_note_size */
	int want_discard;	/* 0: don't check, 1 true, 2 false */
	const char *want_delim;	/* when non-NULL */
	const char *want_sources; /* ';'-joined, when non-NULL */
	int want_policy;	/* 0: don't check, 1 [sender] present, 2 not */
	int want_require;	/* 0: don't check, else enum value + 1 */
	const char *want_print;	/* when non-NULL: in conf_print()'s text */
} data_cases[] = {
	/* names */
	{ .name = "unknown key, did you mean", .data = BASE "timout = 5\n",
	  .want_err = PRE "unknown key 'timout' in [api]; did you mean "
	    "'timeout'?" },
	{ .name = "unknown key", .data = BASE "colour = blue\n",
	  .want_err = PRE "unknown key 'colour' in [api]" },
	{ .name = "key in the wrong group",
	  .data = BASE "[message]\ntimeout = 5\n",
	  .want_err = PRE "unknown key 'timeout' in [message]; it belongs "
	    "in [api]" },
	{ .name = "localised key", .data = BASE "timeout[de] = 5\n",
	  .want_err = PRE "unknown key 'timeout[de]' in [api]" },
	{ .name = "unknown group, did you mean", .data = BASE "[tickets]\n",
	  .want_err = PRE "unknown group [tickets]; did you mean [ticket]?" },
	{ .name = "unknown group", .data = BASE "[smtp]\nhost = x\n",
	  .want_err = PRE "unknown group [smtp] (known: [api], [ticket], "
	    "[message], [sender], [delivery])" },
	{ .name = "syntax error", .data = "base_url = x\n",
	  .want_err = PRE "line 1: 'key = value' before the first [group] "
	    "(put it under [api], [ticket], [message], [sender] or "
	    "[delivery])" },
	{ .name = "not a key = value line", .data = BASE "garbage\n",
	  .want_err = PRE "line 3 is not 'key = value', a [group] or a # "
	    "comment" },
	{ .name = "a pasted key is not echoed",
	  .data = "# comment\n\n" BASE "  ixk_pasted_secret_1234\r\n",
	  .want_err = PRE "line 5 is not 'key = value', a [group] or a # "
	    "comment" },
	{ .name = "group without ]", .data = BASE "[ticket\n",
	  .want_err = PRE "line 3 is not a valid [group] line" },
	{ .name = "group with text after ]", .data = BASE "[a]pi]\n",
	  .want_err = PRE "line 3 is not a valid [group] line" },
	{ .name = "required base_url", .data = "[api]\ntimeout = 20\n",
	  .want_err = PRE "[api] base_url is required" },
	{ .name = "empty base_url", .data = "[api]\nbase_url =\n",
	  .want_err = PRE "[api] base_url is required" },
	{ .name = "duplicate key: the last wins",
	  .data = BASE "base_url = https://other.example\n",
	  .want_url = "https://other.example" },
	{ .name = "duplicate group merges",
	  .data = BASE "[message]\n[api]\ntimeout = 30\n",
	  .want_url = "https://helpdesk.example.com" },

	/* numbers */
	{ .name = "bad int", .data = BASE "timeout = abc\n",
	  .want_err = PRE "[api] timeout: 'abc' is not a number" },
	{ .name = "empty int", .data = BASE "timeout =\n",
	  .want_err = PRE "[api] timeout: '' is not a number" },
	{ .name = "int with junk", .data = BASE "timeout = 12s\n",
	  .want_err = PRE "[api] timeout: '12s' is not a number" },
	{ .name = "hex int", .data = BASE "timeout = 0x10\n",
	  .want_err = PRE "[api] timeout: '0x10' is not a number" },
	{ .name = "decimal fraction", .data = BASE "timeout = 1.5\n",
	  .want_err = PRE "[api] timeout: '1.5' is not a number" },
	{ .name = "int zero", .data = BASE "timeout = 0\n",
	  .want_err = PRE "[api] timeout: '0' is out of range (1..300)" },
	{ .name = "int too big", .data = BASE "timeout = 301\n",
	  .want_err = PRE "[api] timeout: '301' is out of range (1..300)" },
	{ .name = "int negative", .data = BASE "timeout = -1\n",
	  .want_err = PRE "[api] timeout: '-1' is out of range (1..300)" },
	{ .name = "int overflow", .data = BASE
	    "[message]\nmax_mime_parts = 99999999999999999999999\n",
	  .want_err = PRE "[message] max_mime_parts: '99999999999999999999999'"
	    " is out of range (1..10000)" },
	{ .name = "connect_timeout above timeout",
	  .data = BASE "timeout = 5\nconnect_timeout = 6\n",
	  .want_err = PRE "[api] connect_timeout: 6 is longer than timeout "
	    "(5)" },
	{ .name = "connect_timeout default above timeout",
	  .data = BASE "timeout = 5\n",
	  .want_err = PRE "[api] connect_timeout: 10 is longer than timeout "
	    "(5)" },
	{ .name = "connect_timeout equal to timeout",
	  .data = BASE "timeout = 5\nconnect_timeout = 5\n",
	  .want_url = "https://helpdesk.example.com" },

	/* sizes */
	{ .name = "size 1k", .data = BASE "[message]\nmax_message_size = 1k\n",
	  .want_msg_size = 1024 },
	{ .name = "size 1K", .data = BASE "[message]\nmax_message_size = 1K\n",
	  .want_msg_size = 1024 },
	{ .name = "size 50M", .data = BASE
	    "[message]\nmax_message_size = 50M\n",
	  .want_msg_size = 50 * 1024 * 1024 },
	{ .name = "size 10m", .data = BASE
	    "[message]\nmax_message_size = 10m\n",
	  .want_msg_size = 10 * 1024 * 1024 },
	{ .name = "size 2G", .data = BASE "[message]\nmax_message_size = 2G\n",
	  .want_msg_size = 2ULL * 1024 * 1024 * 1024 },
	{ .name = "size bytes", .data = BASE
	    "[message]\nmax_message_size = 1048576\n",
	  .want_msg_size = 1048576 },
	{ .name = "size with a space", .data = BASE
	    "[message]\nmax_message_size = 20 M\n",
	  .want_msg_size = 20 * 1024 * 1024 },
	{ .name = "note size 16k", .data = BASE
	    "[message]\nmax_note_size = 16k\n",
	  .want_note_size = 16 * 1024 },
	{ .name = "journal_days 0", .prefix = true, .data = BASE
	    "[delivery]\njournal_days = 0\n",
	  .want_err = PRE "[delivery] journal_days: '0' is out of range" },
	{ .name = "max_wait 61", .prefix = true, .data = BASE
	    "[delivery]\nmax_wait = 61\n",
	  .want_err = PRE "[delivery] max_wait: '61' is out of range" },
	{ .name = "state_dir relative", .data = BASE "[delivery]\n"
	  "state_dir = var/lib/m2n\n",
	  .want_err = PRE "[delivery] state_dir: 'var/lib/m2n' is not an "
	    "absolute path" },
	{ .name = "size 3G too big", .data = BASE
	    "[message]\nmax_message_size = 3G\n",
	  .want_err = PRE "[message] max_message_size: '3G' is out of range "
	    "(1k..2G)" },
	{ .name = "size 1023 too small", .data = BASE
	    "[message]\nmax_message_size = 1023\n",
	  .want_err = PRE "[message] max_message_size: '1023' is out of range "
	    "(1k..2G)" },
	{ .name = "note size 15k too small", .data = BASE
	    "[message]\nmax_note_size = 15k\n",
	  .want_err = PRE "[message] max_note_size: '15k' is out of range "
	    "(16k..16M)" },
	{ .name = "size overflow", .data = BASE
	    "[message]\nmax_message_size = 99999999999999999999G\n",
	  .want_err = PRE "[message] max_message_size: '99999999999999999999G'"
	    " is out of range (1k..2G)" },
	{ .name = "size 2^54 G overflows the multiplication", .data = BASE
	    "[message]\nmax_message_size = 18014398509481984G\n",
	  .want_err = PRE "[message] max_message_size: '18014398509481984G'"
	    " is out of range (1k..2G)" },
	{ .name = "size MB", .data = BASE
	    "[message]\nmax_message_size = 50MB\n",
	  .want_err = PRE "[message] max_message_size: '50MB' is not a size",
	  .prefix = true },
	{ .name = "size negative", .data = BASE
	    "[message]\nmax_message_size = -1\n",
	  .want_err = PRE "[message] max_message_size: '-1' is not a size",
	  .prefix = true },
	{ .name = "size fraction", .data = BASE
	    "[message]\nmax_message_size = 1.5M\n",
	  .want_err = PRE "[message] max_message_size: '1.5M' is not a size",
	  .prefix = true },

	/* booleans */
	{ .name = "bool false", .data = BASE
	    "[message]\ndiscard_automatic = false\n", .want_discard = 2 },
	{ .name = "bool no", .data = BASE
	    "[message]\ndiscard_automatic = no\n", .want_discard = 2 },
	{ .name = "bool 0", .data = BASE
	    "[message]\ndiscard_automatic = 0\n", .want_discard = 2 },
	{ .name = "bool ON", .data = BASE
	    "[message]\ndiscard_automatic = ON\n", .want_discard = 1 },
	{ .name = "bool maybe", .data = BASE
	    "[message]\ndiscard_automatic = maybe\n",
	  .want_err = PRE "[message] discard_automatic: 'maybe' is not a "
	    "boolean (use true or false)" },

	/* base_url */
	{ .name = "http to a public host",
	  .data = "[api]\nbase_url = http://helpdesk.example.com\n",
	  .want_err = PRE "[api] base_url: plain http is only allowed to a "
	    "loopback host, not to 'helpdesk.example.com'; use https" },
	{ .name = "http to 128.0.0.1",
	  .data = "[api]\nbase_url = http://128.0.0.1\n",
	  .want_err = PRE "[api] base_url: plain http is only allowed",
	  .prefix = true },
	{ .name = "http to localhost.example",
	  .data = "[api]\nbase_url = http://localhost.example.com/\n",
	  .want_err = PRE "[api] base_url: plain http is only allowed",
	  .prefix = true },
	{ .name = "http to 127.0.0.1:8080",
	  .data = "[api]\nbase_url = http://127.0.0.1:8080\n",
	  .want_url = "http://127.0.0.1:8080" },
	{ .name = "http to 127.9.8.7",
	  .data = "[api]\nbase_url = http://127.9.8.7/\n",
	  .want_url = "http://127.9.8.7" },
	{ .name = "http to localhost",
	  .data = "[api]\nbase_url = http://localhost:8080/hd/\n",
	  .want_url = "http://localhost:8080/hd" },
	{ .name = "http to [::1]",
	  .data = "[api]\nbase_url = http://[::1]:8080\n",
	  .want_url = "http://[::1]:8080" },
	{ .name = "http to [::ffff:127.0.0.1]",
	  .data = "[api]\nbase_url = http://[::ffff:127.0.0.1]:8080\n",
	  .want_url = "http://[::ffff:127.0.0.1]:8080" },
	{ .name = "http to [::ffff:10.0.0.1] (v4-mapped, not loopback)",
	  .data = "[api]\nbase_url = http://[::ffff:10.0.0.1]:8080\n",
	  .want_err = PRE "[api] base_url: plain http is only allowed",
	  .prefix = true },
	{ .name = "http to [::2]",
	  .data = "[api]\nbase_url = http://[::2]/\n",
	  .want_err = PRE "[api] base_url: plain http is only allowed",
	  .prefix = true },
	{ .name = "HTTPS upper case",
	  .data = "[api]\nbase_url = HTTPS://Helpdesk.Example.com\n",
	  .want_url = "HTTPS://Helpdesk.Example.com" },
	{ .name = "path prefix, trailing slashes",
	  .data = "[api]\nbase_url = https://example.com/helpdesk//\n",
	  .want_url = "https://example.com/helpdesk" },
	{ .name = "userinfo",
	  .data = "[api]\nbase_url = https://bob:s3cretpw@example.com/\n",
	  .want_err = PRE "[api] base_url: the URL must not contain a user "
	    "name or password; the key goes in key_file" },
	{ .name = "empty userinfo",
	  .data = "[api]\nbase_url = https://@example.com/\n",
	  .want_err = PRE "[api] base_url: the URL must not contain a user "
	    "name or password; the key goes in key_file" },
	{ .name = "query",
	  .data = "[api]\nbase_url = https://example.com/?token=x\n",
	  .want_err = PRE "[api] base_url: the URL must not contain a query "
	    "('?...')" },
	{ .name = "empty query",
	  .data = "[api]\nbase_url = https://example.com?\n",
	  .want_err = PRE "[api] base_url: the URL must not contain a query "
	    "('?...')" },
	{ .name = "fragment",
	  .data = "[api]\nbase_url = https://example.com/#x\n",
	  .want_err = PRE "[api] base_url: the URL must not contain a "
	    "fragment ('#...')" },
	{ .name = "ftp",
	  .data = "[api]\nbase_url = ftp://example.com/\n",
	  .want_err = PRE "[api] base_url: scheme 'ftp' is not supported; "
	    "use https://" },
	{ .name = "no scheme",
	  .data = "[api]\nbase_url = helpdesk.example.com\n",
	  .want_err = PRE "[api] base_url: not a valid URL", .prefix = true },
	{ .name = "no host",
	  .data = "[api]\nbase_url = https:///api\n",
	  .want_err = PRE "[api] base_url: the URL has no host name" },
	{ .name = "space in the URL",
	  .data = "[api]\nbase_url = https://example.com/a b\n",
	  .want_err = PRE "[api] base_url: the URL contains a space",
	  .prefix = true },
	{ .name = "bad port",
	  .data = "[api]\nbase_url = https://example.com:99999/\n",
	  .want_err = PRE "[api] base_url: not a valid URL", .prefix = true },

	/* patterns and sources */
	{ .name = "bad regex",
	  .data = BASE "[ticket]\nsubject_pattern = \\[#(?<id>[A-Z]+\\]\n",
	  .want_err = PRE "[ticket] subject_pattern: bad pattern: ",
	  .prefix = true },
	{ .name = "regex without id group",
	  .data = BASE "[ticket]\nsubject_pattern = \\[#([A-Z0-9]+)\\]\n",
	  .want_err = PRE "[ticket] subject_pattern: the pattern has no named "
	    "group \"id\"; capture the ticket id with (?<id>...)" },
	{ .name = "regex with backslashes as written",
	  .data = BASE "[ticket]\nsubject_pattern = (?i)\\[ticket "
	    "(?<id>\\d+)\\]\n",
	  .want_url = "https://helpdesk.example.com" },
	{ .name = "sources with unknown item",
	  .data = BASE "[ticket]\nsources = extension;body\n",
	  .want_err = PRE "[ticket] sources: unknown source 'body' (use "
	    "extension, subject or references)" },
	{ .name = "sources duplicate",
	  .data = BASE "[ticket]\nsources = subject;extension;subject\n",
	  .want_err = PRE "[ticket] sources: 'subject' is listed twice" },
	{ .name = "sources empty", .data = BASE "[ticket]\nsources =\n",
	  .want_err = PRE "[ticket] sources: needs 1 to 3 items, separated "
	    "by ';'" },
	{ .name = "sources spaces and empty items",
	  .data = BASE "[ticket]\nsources = subject ;; references;\n",
	  .want_sources = "subject;references" },
	{ .name = "sources all three",
	  .data = BASE "[ticket]\nsources = references;subject;extension\n",
	  .want_sources = "references;subject;extension" },
	{ .name = "listed source with empty pattern",
	  .data = BASE "[ticket]\nsources = subject\nsubject_pattern =\n",
	  .want_err = PRE "[ticket] sources: 'subject' is listed but "
	    "subject_pattern is empty" },
	{ .name = "unlisted source with empty pattern",
	  .data = BASE "[ticket]\nsources = subject\nextension_pattern =\n",
	  .want_sources = "subject" },
	{ .name = "delimiters +-",
	  .data = BASE "[ticket]\nrecipient_delimiter = +-\n",
	  .want_delim = "+-" },
	{ .name = "empty delimiter",
	  .data = BASE "[ticket]\nrecipient_delimiter =\n",
	  .want_err = PRE "[ticket] recipient_delimiter: '' must be 1 to 8 "
	    "characters long" },
	{ .name = "letter delimiter",
	  .data = BASE "[ticket]\nrecipient_delimiter = +x\n",
	  .want_err = PRE "[ticket] recipient_delimiter: '+x': delimiters "
	    "are", .prefix = true },
	{ .name = "'@' delimiter",
	  .data = BASE "[ticket]\nrecipient_delimiter = @\n",
	  .want_err = PRE "[ticket] recipient_delimiter: '@': delimiters "
	    "are", .prefix = true },
	{ .name = "too many delimiters",
	  .data = BASE "[ticket]\nrecipient_delimiter = +-=~!%^&*\n",
	  .want_err = PRE "[ticket] recipient_delimiter: '+-=~!%^&*' must be "
	    "1 to 8 characters long" },

	/* paths */
	{ .name = "relative key_file",
	  .data = BASE "key_file = api.key\n",
	  .want_err = PRE "[api] key_file: 'api.key' is not an absolute "
	    "path" },
	{ .name = "empty key_file", .data = BASE "key_file =\n",
	  .want_err = PRE "[api] key_file must not be empty" },
	{ .name = "missing ca_file",
	  .data = BASE "ca_file = /nonexistent/ca.pem\n",
	  .want_err = PRE "[api] ca_file: cannot read /nonexistent/ca.pem: "
	    "No such file or directory" },
	{ .name = "ca_file is a directory", .data = BASE "ca_file = /\n",
	  .want_err = PRE "[api] ca_file: / is not a regular file" },
	{ .name = "empty ca_file", .data = BASE "ca_file =\n",
	  .want_url = "https://helpdesk.example.com" },

	/* [ticket] signed addresses */
	{ .name = "address_key_file and require_signature",
	  .data = BASE "[ticket]\naddress_key_file = /etc/m2n/address.keys\n"
	    "require_signature = yes\n",
	  .want_print = "\nrecipient_delimiter = +\n"
	    "address_key_file = /etc/m2n/address.keys\n"
	    "require_signature = true\n\n[message]\n" },
	{ .name = "address_key_file without require_signature",
	  .data = BASE "[ticket]\naddress_key_file = /etc/m2n/address.keys\n",
	  .want_print = "\nrequire_signature = false\n" },
	{ .name = "address_key_file unset by default", .data = BASE,
	  .want_print = "\n# address_key_file is not set (default)\n"
	    "require_signature = false\n" },
	{ .name = "relative address_key_file",
	  .data = BASE "[ticket]\naddress_key_file = address.keys\n",
	  .want_err = PRE "[ticket] address_key_file: 'address.keys' is not "
	    "an absolute path" },
	{ .name = "require_signature without address_key_file",
	  .data = BASE "[ticket]\nrequire_signature = true\n",
	  .want_err = PRE "[ticket] require_signature: true needs "
	    "address_key_file (make a key with mail2note --new-address-key)" },
	{ .name = "require_signature with an empty address_key_file",
	  .data = BASE "[ticket]\nrequire_signature = true\n"
	    "address_key_file =\n",
	  .want_err = PRE "[ticket] require_signature: true needs "
	    "address_key_file", .prefix = true },
	{ .name = "require_signature maybe",
	  .data = BASE "[ticket]\nrequire_signature = maybe\n",
	  .want_err = PRE "[ticket] require_signature: 'maybe' is not a "
	    "boolean (use true or false)" },
	{ .name = "require_signature in [api]",
	  .data = BASE "require_signature = true\n",
	  .want_err = PRE "unknown key 'require_signature' in [api]; it "
	    "belongs in [ticket]" },

	/* [sender] */
	{ .name = "no [sender]: no policy", .data = BASE, .want_policy = 2,
	  .want_require = 1 + POLICY_REQUIRE_NONE,
	  .want_print = "\n# [sender] not configured: anyone who can send "
	    "mail to this domain can write notes\n" },
	{ .name = "empty [sender]: a policy, the defaults",
	  .data = BASE "[sender]\n", .want_policy = 1,
	  .want_require = 1 + POLICY_REQUIRE_NONE,
	  .want_print = "\n[sender]\n# allow is not set (default)\n"
	    "# authserv_id is not set (default)\nrequire = none\n"
	    "refused = discard\n" },
	{ .name = "[sender] every key",
	  .data = BASE "[sender]\nallow = *@example.com; *@*.example.com; "
	    "ops@partner.example\nauthserv_id = mx.example.com\n"
	    "require = dkim\nrefused = bounce\n", .want_policy = 1,
	  .want_require = 1 + POLICY_REQUIRE_DKIM,
	  .want_print = "\n[sender]\nallow = *@example.com;*@*.example.com;"
	    "ops@partner.example\nauthserv_id = mx.example.com\n"
	    "require = dkim\nrefused = bounce\n" },
	{ .name = "[sender] require DMARC, any case",
	  .data = BASE "[sender]\nauthserv_id = mx.example.com\n"
	    "require = DMARC\nrefused = Discard\n", .want_policy = 1,
	  .want_require = 1 + POLICY_REQUIRE_DMARC,
	  .want_print = "\nrequire = dmarc\nrefused = discard\n" },
	{ .name = "[sender] require none with authserv_id",
	  .data = BASE "[sender]\nauthserv_id = mx.example.com\n"
	    "require = none\n",
	  .want_require = 1 + POLICY_REQUIRE_NONE },
	{ .name = "[sender] require dkim without authserv_id",
	  .data = BASE "[sender]\nrequire = dkim\n",
	  .want_err = PRE "[sender] require: 'dkim' needs authserv_id, the "
	    "authserv-id of the milter that writes Authentication-Results" },
	{ .name = "[sender] require dmarc with an empty authserv_id",
	  .data = BASE "[sender]\nrequire = dmarc\nauthserv_id =\n",
	  .want_err = PRE "[sender] require: 'dmarc' needs authserv_id",
	  .prefix = true },
	{ .name = "[sender] require spf",
	  .data = BASE "[sender]\nrequire = spf\n",
	  .want_err = PRE "[sender] require: 'spf' is not one of none, dkim, "
	    "dmarc" },
	{ .name = "[sender] require empty",
	  .data = BASE "[sender]\nrequire =\n",
	  .want_err = PRE "[sender] require: '' is not one of none, dkim, "
	    "dmarc" },
	{ .name = "[sender] refused reject",
	  .data = BASE "[sender]\nrefused = reject\n",
	  .want_err = PRE "[sender] refused: 'reject' is not discard or "
	    "bounce" },
	{ .name = "[sender] refused true is not a word for it",
	  .data = BASE "[sender]\nrefused = true\n",
	  .want_err = PRE "[sender] refused: 'true' is not discard or "
	    "bounce" },
	/* The wording is policy_pattern_check()'s (test_policy.c). */
	{ .name = "[sender] allow a bare domain",
	  .data = BASE "[sender]\nallow = *@example.org; example.com\n",
	  .want_err = PRE "[sender] allow: allow pattern 'example.com' holds "
	    "no '@' (did you mean *@example.com?)" },
	{ .name = "[sender] allow a subdomain glob without '@'",
	  .data = BASE "[sender]\nallow = *.example.com\n",
	  .want_err = PRE "[sender] allow: allow pattern '*.example.com' "
	    "holds no '@' (did you mean *@*.example.com?)" },
	{ .name = "[sender] allow two '@'",
	  .data = BASE "[sender]\nallow = ops@partner@example\n",
	  .want_err = PRE "[sender] allow: allow pattern 'ops@partner@example' "
	    "holds 2 '@'; it needs exactly one, as in *@example.com" },
	{ .name = "[sender] allow '@domain'",
	  .data = BASE "[sender]\nallow = @example.com\n",
	  .want_err = PRE "[sender] allow: allow pattern '@example.com' has no "
	    "local part (did you mean *@example.com?)" },
	{ .name = "[sender] allow 'local@'",
	  .data = BASE "[sender]\nallow = ops@\n",
	  .want_err = PRE "[sender] allow: allow pattern 'ops@' has no domain "
	    "(did you mean ops@*?)" },
	{ .name = "[sender] allow with angle brackets",
	  .data = BASE "[sender]\nallow = <ops@example.com>\n",
	  .want_err = PRE "[sender] allow: allow pattern '<ops@example.com>' "
	    "holds '<': write a bare address pattern such as *@example.com, "
	    "and separate patterns with ';'" },
	{ .name = "[sender] allow separated by commas",
	  .data = BASE "[sender]\nallow = a@example.com, b@example.com\n",
	  .want_err = PRE "[sender] allow: allow pattern 'a@example.com, "
	    "b@example.com' holds ','", .prefix = true },
	{ .name = "[sender] allow empty items dropped",
	  .data = BASE "[sender]\nallow = ;*@example.com;;\n",
	  .want_print = "\nallow = *@example.com\n" },
	{ .name = "[sender] allow empty: any address",
	  .data = BASE "[sender]\nallow =\n",
	  .want_print = "\n# allow is not set (default)\n" },
	{ .name = "[sender] authserv_id with a space",
	  .data = BASE "[sender]\nauthserv_id = mx example\n",
	  .want_err = PRE "[sender] authserv_id: authserv_id 'mx example' is "
	    "not a host name as your MTA writes it first in "
	    "Authentication-Results (e.g. mx.example.com)" },
	{ .name = "[sender] authserv_id with a ';'",
	  .data = BASE "[sender]\nauthserv_id = mx.example.com;\n",
	  .want_err = PRE "[sender] authserv_id: authserv_id 'mx.example.com;' "
	    "is not a host name", .prefix = true },
	{ .name = "[sender] unknown key, did you mean",
	  .data = BASE "[sender]\nalow = *@example.com\n",
	  .want_err = PRE "unknown key 'alow' in [sender]; did you mean "
	    "'allow'?" },
	{ .name = "[sender] unknown key",
	  .data = BASE "[sender]\nspf = pass\n",
	  .want_err = PRE "unknown key 'spf' in [sender]" },
	{ .name = "[sender] key in [ticket]",
	  .data = BASE "[ticket]\nallow = *@example.com\n",
	  .want_err = PRE "unknown key 'allow' in [ticket]; it belongs in "
	    "[sender]" },
	{ .name = "[senders], did you mean",
	  .data = BASE "[senders]\nallow = *@example.com\n",
	  .want_err = PRE "unknown group [senders]; did you mean [sender]?" },
};

static char *print_to_string(const struct conf *);

/* test_data - the table of in-memory configs */
static void
test_data(void)
{
	const struct data_case *c;
	struct conf *conf;
	struct gw_error err;
	enum gw_status st;
	char name[256];
	char *s;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(data_cases); i++) {
		c = &data_cases[i];
		conf = NULL;
		gw_error_clear(&err);
		st = conf_load_data(c->data, strlen(c->data), NAME, &conf,
		    &err);
		g_snprintf(name, sizeof(name), "%s: status", c->name);
		if (c->want_err != NULL) {
			tap_int(st, GW_ECONFIG, name);
			g_snprintf(name, sizeof(name), "%s: text", c->name);
			if (c->prefix) {
				if (!tap_ok(strncmp(err.text, c->want_err,
				    strlen(c->want_err)) == 0, "%s", name))
					printf("#   got:  %s\n#   want: %s...\n",
					    err.text, c->want_err);
			} else
				tap_str(err.text, c->want_err, name);
			tap_ok(conf == NULL, "%s: no conf", c->name);
			tap_ok(strstr(err.text, "s3cretpw") == NULL,
			    "%s: no password in the text", c->name);
			conf_free(&conf);
			continue;
		}
		if (!tap_int(st, GW_OK, name)) {
			printf("#   error: %s\n", err.text);
			continue;
		}
		if (c->want_url != NULL) {
			g_snprintf(name, sizeof(name), "%s: base_url",
			    c->name);
			tap_str(conf->base_url, c->want_url, name);
		}
		if (c->want_msg_size != 0) {
			g_snprintf(name, sizeof(name), "%s: max_message_size",
			    c->name);
			tap_int((long long)conf->max_message_size,
			    (long long)c->want_msg_size, name);
		}
		if (c->want_note_size != 0) {
			g_snprintf(name, sizeof(name), "%s: max_note_size",
			    c->name);
			tap_int((long long)conf->max_note_size,
			    (long long)c->want_note_size, name);
		}
		if (c->want_discard != 0) {
			g_snprintf(name, sizeof(name), "%s: discard_automatic",
			    c->name);
			tap_int(conf->discard_automatic, c->want_discard == 1,
			    name);
		}
		if (c->want_delim != NULL) {
			g_snprintf(name, sizeof(name), "%s: delimiter",
			    c->name);
			tap_str(conf->recipient_delimiter, c->want_delim, name);
		}
		if (c->want_sources != NULL) {
			s = g_strjoinv(";", conf->sources);
			g_snprintf(name, sizeof(name), "%s: sources", c->name);
			tap_str(s, c->want_sources, name);
			g_free(s);
		}
		if (c->want_policy != 0) {
			g_snprintf(name, sizeof(name), "%s: sender_policy",
			    c->name);
			tap_int(conf->sender_policy, c->want_policy == 1, name);
		}
		if (c->want_require != 0) {
			g_snprintf(name, sizeof(name), "%s: sender_require",
			    c->name);
			tap_int(conf->sender_require, c->want_require - 1,
			    name);
		}
		if (c->want_print != NULL) {
			s = print_to_string(conf);
			if (!tap_ok(strstr(s, c->want_print) != NULL,
			    "%s: conf_print", c->name))
				printf("#   got:\n%s#   want in it:\n%s\n", s,
				    c->want_print);
			free(s);
		}
		conf_free(&conf);
		tap_ok(conf == NULL, "%s: freed", c->name);
	}
}

/* test_defaults - a config with only base_url */
static void
test_defaults(void)
{
	static const struct {
		const char *id, *want;	/* want NULL: no match */
	} ids[] = {
		{ "T1001", "T1001" },
		{ "T1001.abcdefghijk23", "T1001.abcdefghijk23" },
		{ "T1001.ABCDEFGHIJK23", "T1001.ABCDEFGHIJK23" },
		{ "T1001.abcdefghijk2", NULL },		/* 12 characters */
		{ "T1001.abcdefghijk234", NULL },	/* 14 */
		{ "T1001.abcdefghijk18", NULL },	/* not base32 */
		{ "T1001.", NULL },
	};
	struct conf *conf = NULL;
	struct gw_error err;
	GMatchInfo *mi = NULL;
	char *s, *subject, *got;
	GRegex *re;
	size_t i;

	if (!tap_int(conf_load_data(BASE, strlen(BASE), NAME, &conf, &err),
	    GW_OK, "defaults: load")) {
		printf("#   error: %s\n", err.text);
		return;
	}
	tap_str(conf->path, NAME, "defaults: path");
	tap_str(conf->base_url, "https://helpdesk.example.com",
	    "defaults: base_url");
	tap_str(conf->key_file, "/etc/mail2note/api.key",
	    "defaults: key_file");
	tap_str(conf->ca_file, NULL, "defaults: ca_file");
	tap_int(conf->timeout, 20, "defaults: timeout");
	tap_int(conf->connect_timeout, 10, "defaults: connect_timeout");
	s = g_strjoinv(";", conf->sources);
	tap_str(s, "extension;subject", "defaults: sources");
	g_free(s);
	tap_str(conf->extension_pattern,
	    "^(?<id>[A-Za-z0-9][A-Za-z0-9_-]{0,63}(?:\\.[A-Za-z2-7]{13})?)$",
	    "defaults: extension_pattern");
	tap_str(conf->subject_pattern,
	    "\\[#(?<id>[A-Za-z0-9][A-Za-z0-9_-]{0,63}"
	    "(?:\\.[A-Za-z2-7]{13})?)\\]", "defaults: subject_pattern");
	tap_str(conf->references_pattern,
	    "<ticket-(?<id>[A-Za-z0-9][A-Za-z0-9_-]{0,63}"
	    "(?:\\.[A-Za-z2-7]{13})?)@", "defaults: references_pattern");
	tap_str(conf->recipient_delimiter, "+",
	    "defaults: recipient_delimiter");
	tap_int((long long)conf->max_message_size, 50LL * 1024 * 1024,
	    "defaults: max_message_size");
	tap_int(conf->max_mime_depth, 32, "defaults: max_mime_depth");
	tap_int(conf->max_mime_parts, 500, "defaults: max_mime_parts");
	tap_int((long long)conf->max_note_size, 1024 * 1024,
	    "defaults: max_note_size");
	tap_int((long long)conf->max_inline_text, 64 * 1024,
	    "defaults: max_inline_text");
	tap_int(conf->discard_automatic, 1, "defaults: discard_automatic");
	tap_int(conf->split_history, 1, "defaults: split_history");
	tap_str(conf->state_dir, "/var/lib/mail2note", "defaults: state_dir");
	tap_int(conf->journal_days, 14, "defaults: journal_days");
	tap_int(conf->max_wait, 5, "defaults: max_wait");
	for (i = 0; i < G_N_ELEMENTS(ids); i++) {
		re = g_regex_new(conf->subject_pattern, 0, 0, NULL);
		subject = g_strdup_printf("Re: [#%s] printer", ids[i].id);
		got = NULL;
		if (g_regex_match(re, subject, 0, &mi))
			got = g_match_info_fetch_named(mi, "id");
		tap_str(got, ids[i].want, ids[i].id);
		g_match_info_free(mi);
		g_regex_unref(re);
		g_free(subject);
		g_free(got);
	}
	tap_str(conf->address_key_file, NULL, "defaults: address_key_file");
	tap_int(conf->require_signature, 0, "defaults: require_signature");
	tap_int(conf->sender_policy, 0, "defaults: sender_policy");
	tap_ok(conf->sender_allow == NULL, "defaults: sender_allow");
	tap_str(conf->authserv_id, NULL, "defaults: authserv_id");
	tap_int(conf->sender_require, POLICY_REQUIRE_NONE,
	    "defaults: sender_require");
	tap_int(conf->refused_bounce, 0, "defaults: refused_bounce");
	conf_free(&conf);
	conf_free(&conf);
	conf_free(NULL);
	tap_ok(1, "conf_free is NULL-safe");
}

/* test_good_file - every key set, read from a real file */
static void
test_good_file(const char *dir)
{
	char *path = g_build_filename(dir, "good.conf", NULL);
	char *ca = g_build_filename(dir, "ca.pem", NULL);
	char *key = g_build_filename(dir, "api.key", NULL);
	struct conf *conf = NULL;
	struct gw_error err;
	char *data, *s;

	data = g_strdup_printf(
	    "# every key\n"
	    "[api]\n"
	    "base_url = https://helpdesk.example.com/hd/\n"
	    "key_file = %s\n"
	    "ca_file = %s\n"
	    "timeout = 30\n"
	    "connect_timeout = 7\n"
	    "\n"
	    "[ticket]\n"
	    "sources = subject;references;extension\n"
	    "extension_pattern = ^(?<id>T[0-9]+)$\n"
	    "subject_pattern = \\[Ticket#(?<id>[0-9]+)\\]\n"
	    "references_pattern = <t(?<id>[0-9]+)@\n"
	    "recipient_delimiter = -+\n"
	    "\n"
	    "[message]\n"
	    "max_message_size = 20M\n"
	    "max_mime_depth = 10\n"
	    "max_mime_parts = 100\n"
	    "max_note_size = 512k\n"
	    "discard_automatic = false\n"
	    "split_history = false\n", key, ca);
	if (fixture_write(ca, "pem\n", 4, 0644) != 0 ||
	    fixture_write(path, data, strlen(data), 0644) != 0) {
		tap_ok(0, "good file: write: %s", g_strerror(errno));
		goto out;
	}
	if (!tap_int(conf_load(path, &conf, &err), GW_OK, "good file: load")) {
		printf("#   error: %s\n", err.text);
		goto out;
	}
	tap_str(conf->path, path, "good file: path");
	tap_str(conf->base_url, "https://helpdesk.example.com/hd",
	    "good file: base_url");
	tap_str(conf->key_file, key, "good file: key_file");
	tap_str(conf->ca_file, ca, "good file: ca_file");
	tap_int(conf->timeout, 30, "good file: timeout");
	tap_int(conf->connect_timeout, 7, "good file: connect_timeout");
	s = g_strjoinv(";", conf->sources);
	tap_str(s, "subject;references;extension", "good file: sources");
	g_free(s);
	tap_str(conf->extension_pattern, "^(?<id>T[0-9]+)$",
	    "good file: extension_pattern");
	tap_str(conf->subject_pattern, "\\[Ticket#(?<id>[0-9]+)\\]",
	    "good file: subject_pattern");
	tap_str(conf->references_pattern, "<t(?<id>[0-9]+)@",
	    "good file: references_pattern");
	tap_str(conf->recipient_delimiter, "-+",
	    "good file: recipient_delimiter");
	tap_int((long long)conf->max_message_size, 20LL * 1024 * 1024,
	    "good file: max_message_size");
	tap_int(conf->max_mime_depth, 10, "good file: max_mime_depth");
	tap_int(conf->max_mime_parts, 100, "good file: max_mime_parts");
	tap_int((long long)conf->max_note_size, 512 * 1024,
	    "good file: max_note_size");
	tap_int(conf->discard_automatic, 0, "good file: discard_automatic");
	tap_int(conf->split_history, 0, "good file: split_history");
	conf_free(&conf);

	/* $MAIL2NOTE_CONFIG names the file when no path is given */
	setenv(CONF_ENV_PATH, path, 1);
	if (tap_int(conf_load(NULL, &conf, &err), GW_OK,
	    "MAIL2NOTE_CONFIG: load"))
		tap_str(conf->path, path, "MAIL2NOTE_CONFIG: path");
	else
		printf("#   error: %s\n", err.text);
	conf_free(&conf);
	unsetenv(CONF_ENV_PATH);
out:
	g_free(data);
	g_free(path);
	g_free(ca);
	g_free(key);
}

/* test_files - conf_load() of files that cannot be read */
static void
test_files(const char *dir)
{
	char *nul = g_build_filename(dir, "nul.conf", NULL);
	struct conf *conf = NULL;
	struct gw_error err;
	char want[512];

	tap_int(conf_load("/nonexistent/mail2note.conf", &conf, &err),
	    GW_ECONFIG, "missing file: status");
	tap_str(err.text, "cannot read config /nonexistent/mail2note.conf: "
	    "No such file or directory", "missing file: text");
	tap_int(conf_load(dir, &conf, &err), GW_ECONFIG, "directory: status");
	g_snprintf(want, sizeof(want), "cannot read config %s: not a regular "
	    "file", dir);
	tap_str(err.text, want, "directory: text");
	tap_ok(conf == NULL, "directory: no conf");

	(void)fixture_write(nul, BASE, strlen(BASE), 0646);
	tap_int(conf_load(nul, &conf, &err), GW_ECONFIG,
	    "world-writable: status");
	g_snprintf(want, sizeof(want), "config %s is writable by group or "
	    "others (mode 0646); run chmod go-w %s, since whoever can write "
	    "it can redirect the API key", nul, nul);
	/* A long checkout path (make deb builds in build/deb-src/...) makes
	 * the text reach its cap, where it is cut. */
	if (strlen(want) >= GW_ERROR_TEXT_MAX)
		want[GW_ERROR_TEXT_MAX - 1] = '\0';
	tap_str(err.text, want, "world-writable: text");
	tap_ok(conf == NULL, "world-writable: no conf");

	(void)fixture_write(nul, BASE "#\0x\n", sizeof(BASE) + 3, 0644);
	tap_int(conf_load(nul, &conf, &err), GW_ECONFIG, "NUL byte: status");
	g_snprintf(want, sizeof(want), "config %s: contains a NUL byte", nul);
	tap_str(err.text, want, "NUL byte: text");
	g_free(nul);
}

/* uncomment_defaults - the example file with every "#key = value" live */
static char *
uncomment_defaults(const char *text)
{
	GRegex *re = g_regex_new("^#([a-z_]+ =)", G_REGEX_MULTILINE, 0, NULL);
	char *out = g_regex_replace(re, text, -1, 0, "\\1", 0, NULL);

	g_regex_unref(re);
	return out;
}

/* print_to_string - conf_print() output as a string */
static char *
print_to_string(const struct conf *conf)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	if (fp == NULL)
		return g_strdup("");
	conf_print(conf, fp);
	fclose(fp);
	return buf;
}

/* test_example - postfix/mail2note.conf documents exactly the defaults */
static void
test_example(void)
{
	struct conf *conf = NULL, *defaults = NULL;
	char *text = NULL, *live = NULL, *a = NULL, *b = NULL, *sender;
	const char *path = "postfix/mail2note.conf";
	struct gw_error err;
	gsize len;

	if (!g_file_get_contents(path, &text, &len, NULL)) {
		tap_ok(1, "example config # skip %s not found (run from the "
		    "top directory)", path);
		return;
	}
	/* From memory: the checkout's own path need not be a safe one. */
	tap_int(conf_load_data(text, len, path, &conf, &err), GW_ECONFIG,
	    "example as shipped: needs base_url");
	tap_str(err.text, "config postfix/mail2note.conf: [api] base_url is "
	    "required", "example as shipped: text");

	/*
	 * The [sender] group is commented out as a whole (its absence is a
	 * setting) and shows examples, not defaults: check it on its own.
	 */
	sender = strstr(text, "\n#[sender]\n");
	if (tap_ok(sender != NULL, "example: has a commented [sender] group")) {
		*sender++ = '\0';
		g_free(live);
		live = g_strconcat(BASE "[sender]\n", strchr(sender, '\n'),
		    NULL);
		a = uncomment_defaults(live);
		if (tap_int(conf_load_data(a, strlen(a), "example", &conf,
		    &err), GW_OK, "example [sender] uncommented: loads")) {
			tap_ok(conf->sender_policy && conf->sender_allow !=
			    NULL && conf->sender_require ==
			    POLICY_REQUIRE_NONE && !conf->refused_bounce,
			    "example [sender]: require and refused defaults");
		} else
			printf("#   error: %s\n", err.text);
		conf_free(&conf);
		g_free(a);
		a = NULL;
	}
	g_free(live);
	live = uncomment_defaults(text);
	if (!tap_int(conf_load_data(live, strlen(live), "example", &conf,
	    &err), GW_OK, "example uncommented: loads")) {
		printf("#   error: %s\n", err.text);
		goto out;
	}
	if (conf_load_data(BASE, strlen(BASE), "example", &defaults,
	    &err) != GW_OK)
		goto out;
	/* ca_file's default is empty: written "ca_file =", i.e. unset. */
	a = print_to_string(conf);
	b = print_to_string(defaults);
	tap_str(a, b, "example uncommented: the defaults, every key");
	tap_ok(strstr(a, "max_message_size = 50M\n") != NULL &&
	    strstr(a, "# ca_file is not set") != NULL &&
	    strstr(a, "sources = extension;subject\n") != NULL &&
	    strstr(a, "[message]\n") != NULL,
	    "conf_print: settings in key file form");
out:
	g_free(a);
	g_free(b);
	conf_free(&conf);
	conf_free(&defaults);
	g_free(live);
	g_free(text);
}

int
main(void)
{
	struct gw_error err;
	char *dir;

	if (secret_init(NULL, 0, &err) != GW_OK) {
		tap_ok(0, "secret_init: %s", err.text);
		return tap_done();
	}
	/* Short: a path error names the paths two or three times. */
	if ((dir = fixture_tmpdir("c")) == NULL)
		return tap_done();
	test_data();
	test_defaults();
	test_good_file(dir);
	test_files(dir);
	test_example();
	return fixture_finish(dir);
}
