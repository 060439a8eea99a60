/*
 * test_message.c - unit tests for the message module (TAP).
 *
 * A table of messages written as C strings, each with what the parse must
 * give; then generated inputs (bombs, a 30 MB attachment, pipes and
 * files), charset samples and every message of tests/corpus
 * (M2N_CORPUS overrides the folder).
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "headblock.h"
#include "message.h"
#include "status.h"
#include "tap.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* A want string meaning "must be NULL"; a NULL want is not checked. */
#define ABSENT "\001absent"

#define MB (1024 * 1024)

/* "hi there!\n" uuencoded: 10 bytes, one line */
#define UU10 "*:&D@=&AE<F4A\"@``\n"

/* An input with NUL bytes: its length from the literal. */
#define BIN(s) .input = (s), .len = sizeof(s) - 1

static const struct message_limits limits_default = {
	.max_size = 64 * MB,
	.max_depth = 20,
	.max_parts = 500,
	.max_body = 1 * MB,
};

struct want_att {
	const char *filename;
	const char *type;
	long long size;		/* -1: not checked */
};

struct parse_case {
	const char *name;
	const char *input;
	size_t len;		/* 0: strlen(input) */
	struct message_limits limits;	/* all zero: limits_default */
	enum gw_status rc;
	bool any_rc;		/* GW_OK or GW_EDATA both fine */

	const char *from, *from_addr, *to, *cc, *date, *subject;
	const char *message_id, *in_reply_to, *references;
	const char *text, *html;	/* exact */
	const char *text_has, *html_has;	/* substring */

	int attachments;
	struct want_att att[3];
	int forwards;
	const char *fwd_from, *fwd_subject, *fwd_text;

	const char *automatic;	/* exact reason, ABSENT or NULL: none */
	bool truncated;
	bool limits_hit;
	int pieces;		/* 0: not checked; -1: NULL; else how many */
};

static const struct parse_case cases[] = {
	{
		.name = "boundary folded without indentation: rescued",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: multipart/alternative;\n"
		    "boundary=\"b1\"\n"
		    "\n"
		    "--b1\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "kept text\n"
		    "--b1--\n",
		.text = "kept text",
	},
	{
		.name = "multipart without boundary: prologue kept as text",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: multipart/mixed\n"
		    "\n"
		    "just words\n",
		.text = "just words\n",
	},
	{
		.name = "Return-Path <> is a bounce",
		.input =
		    "Return-Path: <>\n"
		    "From: System Administrator <postmaster@example.jp>\n"
		    "Subject: Undeliverable: hello\n"
		    "\n"
		    "could not deliver\n",
		.text = "could not deliver\n",
		.automatic = "Return-Path: <> (bounce)",
	},
	{
		.name = "postmaster with a bounce subject",
		.input =
		    "From: postmaster@example.org\n"
		    "Subject: Returned mail: see transcript\n"
		    "\n"
		    "x\n",
		.text = "x\n",
		.automatic = "bounce from postmaster",
	},
	{
		.name = "postmaster forwarding a bounce is a person",
		.input =
		    "From: postmaster@example.org\n"
		    "Subject: Fwd: Undeliverable: invoice 4471\n"
		    "\n"
		    "Please look at this one.\n",
		.text = "Please look at this one.\n",
		.automatic = ABSENT,
	},
	{
		.name = "postmaster bounce with a [tag] first",
		.input =
		    "From: postmaster@example.org\n"
		    "Subject: [SPAM?] Undelivered Mail Returned to Sender\n"
		    "\n"
		    "x\n",
		.text = "x\n",
		.automatic = "bounce from postmaster",
	},
	{
		.name = "postmaster writing normally is not a bounce",
		.input =
		    "From: postmaster@example.org\n"
		    "Subject: Question about our ticket\n"
		    "\n"
		    "x\n",
		.text = "x\n",
		.automatic = ABSENT,
	},
	{
		.name = "From: MAILER-DAEMON <> without address",
		.input =
		    "From: MAILER-DAEMON <>\n"
		    "Subject: Mail delivery failed\n"
		    "\n"
		    "x\n",
		.text = "x\n",
		.automatic = "From: MAILER-DAEMON",
	},
	{
		.name = "format=flowed",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: text/plain; charset=utf-8; format=flowed\n"
		    "\n"
		    "one two \n"
		    "three\n"
		    " From stuffed\n"
		    "\n"
		    "> quoted \n"
		    "> on\n"
		    ">> deeper\n"
		    "-- \n"
		    "sig\n",
		.text = "one two three\nFrom stuffed\n\n> quoted on\n"
		    ">> deeper\n-- \nsig\n",
	},
	{
		.name = "format=flowed; delsp=yes",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: text/plain; format=Flowed; DelSp=Yes\n"
		    "\n"
		    "\xe6\x97\xa5\xe6\x9c\xac \n"
		    "\xe8\xaa\x9e\n",
		.text = "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\n",
	},
	{
		.name = "mailing list footer after an alternative",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: multipart/mixed; boundary=l\n"
		    "\n"
		    "--l\n"
		    "Content-Type: multipart/alternative; boundary=a\n"
		    "\n"
		    "--a\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "post\n"
		    "--a\n"
		    "Content-Type: text/html\n"
		    "\n"
		    "<p>post</p>\n"
		    "--a--\n"
		    "--l\n"
		    "Content-Type: text/plain\n"
		    "Content-Disposition: inline\n"
		    "\n"
		    "list footer\n"
		    "--l--\n",
		.text = "post\nlist footer",
		.html = "<p>post</p>",
	},
	{
		.name = "multipart/signed",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: multipart/signed; micalg=pgp-sha256;\n"
		    " protocol=\"application/pgp-signature\"; boundary=s\n"
		    "\n"
		    "--s\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "signed text\n"
		    "--s\n"
		    "Content-Type: application/pgp-signature; name=sig.asc\n"
		    "\n"
		    "-----BEGIN PGP SIGNATURE-----\n"
		    "--s--\n",
		.text = "signed text",
		.attachments = 1,
		.att = { { "sig.asc", "application/pgp-signature", 29 } },
	},
	{
		.name = "utf-16 body",
		BIN("From: a@example.com\n"
		    "Content-Type: text/plain; charset=utf-16le\n"
		    "\n"
		    "h\0\xe9\0!\0"),
		.text = "h\xc3\xa9!",
	},
	{
		.name = "iso-8859-15 label on utf-8 text",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: text/plain; charset=iso-8859-15\n"
		    "\n"
		    "\xe2\x82\xac 5\n",
		.text = "\xe2\x82\xac 5\n",
	},
	{
		.name = "iso-8859-15 text",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: text/plain; charset=iso-8859-15\n"
		    "\n"
		    "\xa4 5\n",
		.text = "\xe2\x82\xac 5\n",
	},
	{
		.name = "leading blank line and indented first field",
		.input =
		    "\n  \n From: a@example.com\n"
		    "Subject: odd start\n"
		    "\n"
		    "body\n",
		.subject = "odd start",
		.from_addr = "a@example.com",
		.text = "body\n",
	},
	{
		.name = "only Content-Type header",
		.input =
		    "Content-Type: text/plain; charset=us-ascii\n"
		    "\n"
		    "just a body\n",
		.from = ABSENT,
		.subject = ABSENT,
		.text = "just a body\n",
	},
	{
		.name = "plain",
		.input =
		    "Return-Path: <alice@example.com>\n"
		    "From: \"Alice Example\" <alice@example.com>\n"
		    "To: support+T1001@example.org, Bob <bob@example.org>\n"
		    "Cc: carol@example.org\n"
		    "Date:   Mon, 1 Jan 2024 10:00:00 +0100  \n"
		    "Subject: Printer on fire\n"
		    "Message-ID: <abc.123@example.com>\n"
		    "In-Reply-To: <prev@example.com>\n"
		    "References: <first@example.com>\n"
		    "\t<prev@example.com>\n"
		    "MIME-Version: 1.0\n"
		    "Content-Type: text/plain; charset=us-ascii\n"
		    "\n"
		    "Hello,\n"
		    "\tthe printer is on fire.\n",
		.from = "Alice Example <alice@example.com>",
		.from_addr = "alice@example.com",
		.to = "support+T1001@example.org, Bob <bob@example.org>",
		.cc = "carol@example.org",
		.date = "Mon, 1 Jan 2024 10:00:00 +0100",
		.subject = "Printer on fire",
		.message_id = "abc.123@example.com",
		.in_reply_to = "<prev@example.com>",
		.references = "<first@example.com> <prev@example.com>",
		.text = "Hello,\n\tthe printer is on fire.\n",
		.html = ABSENT,
		.automatic = ABSENT,
	},
	{
		/* Names as people read them; quoted only when a name could
		 * pass for an address. */
		.name = "display names without needless quotes",
		.input =
		    "From: \"Foo, Bar\" <fb@example.org>\n"
		    "To: \"Dmitry S. Sivachenko\" <d@example.org>, "
		    "\"Boss <boss@example.com>\" <evil@example.net>, "
		    "undisclosed-recipients:;, "
		    "Team: a@example.org, \"B\" <b@example.org>;\n"
		    "Subject: x\n"
		    "\n"
		    "hi\n",
		.from = "Foo, Bar <fb@example.org>",
		.from_addr = "fb@example.org",
		.to = "Dmitry S. Sivachenko <d@example.org>, "
		    "\"Boss <boss@example.com>\" <evil@example.net>, "
		    "undisclosed-recipients:;, "
		    "Team: a@example.org, B <b@example.org>;",
		.text = "hi\n",
	},
	{
		/* A name in an encoded word and no address at all. */
		.name = "encoded words standing alone in From and To",
		.input =
		    "From: =?utf-8?q?=C3=A9quipe_support?=\n"
		    "To: =?utf-8?q?=C3=A9quipe?= <eq@example.fr>, "
		    "=?iso-8859-1?q?R=E9ception?=\n"
		    "Subject: x\n"
		    "\n"
		    "hi\n",
		.from = "\xc3\xa9quipe support",
		.to = "\xc3\xa9quipe <eq@example.fr>, R\xc3\xa9" "ception",
		.text = "hi\n",
	},
	{
		.name = "alternative text+html",
		.input =
		    "From: a@example.com\n"
		    "Subject: alt\n"
		    "Content-Type: multipart/alternative; boundary=\"b1\"\n"
		    "\n"
		    "preamble\n"
		    "--b1\n"
		    "Content-Type: text/plain; charset=utf-8\n"
		    "\n"
		    "plain version\n"
		    "--b1\n"
		    "Content-Type: text/html; charset=utf-8\n"
		    "\n"
		    "<p>html version</p>\n"
		    "--b1--\n"
		    "epilogue\n",
		.text = "plain version",
		.html = "<p>html version</p>",
	},
	{
		.name = "alternative: last of each kind wins",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: multipart/alternative; boundary=b\n"
		    "\n"
		    "--b\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "first plain\n"
		    "--b\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "second plain\n"
		    "--b\n"
		    "Content-Type: text/html\n"
		    "\n"
		    "<b>html</b>\n"
		    "--b\n"
		    "Content-Type: text/calendar; method=REQUEST\n"
		    "\n"
		    "BEGIN:VCALENDAR\n"
		    "END:VCALENDAR\n"
		    "--b--\n",
		.text = "second plain",
		.html = "<b>html</b>",
		.attachments = 1,
		.att = { { "", "text/calendar", 29 } },
	},
	{
		.name = "html only",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: text/html; charset=UTF-8\n"
		    "\n"
		    "<html><body><p>Hi</p></body></html>\n",
		.text = ABSENT,
		.html = "<html><body><p>Hi</p></body></html>\n",
	},
	{
		.name = "base64 utf-8 text",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: text/plain; charset=utf-8\n"
		    "Content-Transfer-Encoding: base64\n"
		    "\n"
		    "R3LDvMOfZSBhdXMgS8O2bG4K\n",
		.text = "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln\n",
	},
	{
		.name = "quoted-printable",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: text/plain; charset=utf-8\n"
		    "Content-Transfer-Encoding: quoted-printable\n"
		    "\n"
		    "caf=C3=A9 au l=\n"
		    "ait =3D bon\n",
		.text = "caf\xc3\xa9 au lait = bon\n",
	},
	{
		.name = "latin1 body with charset",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: text/plain; charset=ISO-8859-1\n"
		    "Content-Transfer-Encoding: 8bit\n"
		    "\n"
		    "Caf\xe9 cr\xe8me \x80\n",
		.text = "Caf\xc3\xa9 cr\xc3\xa8me \xe2\x82\xac\n",
	},
	{
		.name = "undeclared 8-bit body is windows-1252",
		.input =
		    "From: a@example.com\n"
		    "Subject: no charset\n"
		    "\n"
		    "d\xe9j\xe0 vu \x93quoted\x94\n",
		.text = "d\xc3\xa9j\xc3\xa0 vu \xe2\x80\x9cquoted\xe2\x80\x9d\n",
	},
	{
		.name = "undeclared KOI8-R body",
		.input =
		    "From: a@example.com\n"
		    "Subject: no charset\n"
		    "\n"
		    "\xf0\xd2\xc9\xd7\xc5\xd4, \xce\xc5 \xd2\xc1\xc2\xcf\xd4"
		    "\xc1\xc5\xd4 \xd0\xd2\xc9\xce\xd4\xc5\xd2\n",
		.text =
		    "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82, \xd0"
		    "\xbd\xd0\xb5 \xd1\x80\xd0\xb0\xd0\xb1\xd0\xbe\xd1\x82"
		    "\xd0\xb0\xd0\xb5\xd1\x82 \xd0\xbf\xd1\x80\xd0\xb8\xd0"
		    "\xbd\xd1\x82\xd0\xb5\xd1\x80\n",
	},
	{
		.name = "windows-1251 body labelled latin1",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: text/plain; charset=iso-8859-1\n"
		    "\n"
		    "\xcf\xf0\xe8\xe2\xe5\xf2, \xed\xe5 \xf0\xe0\xe1\xee\xf2"
		    "\xe0\xe5\xf2 \xef\xf0\xe8\xed\xf2\xe5\xf0\n",
		.text =
		    "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82, \xd0"
		    "\xbd\xd0\xb5 \xd1\x80\xd0\xb0\xd0\xb1\xd0\xbe\xd1\x82"
		    "\xd0\xb0\xd0\xb5\xd1\x82 \xd0\xbf\xd1\x80\xd0\xb8\xd0"
		    "\xbd\xd1\x82\xd0\xb5\xd1\x80\n",
	},
	{
		/* Thunderbird's wronglyDeclaredShift_JIS: uchardet finds it. */
		.name = "Shift_JIS body labelled utf-8",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: text/plain; charset=utf-8\n"
		    "\n"
		    "\x83\x81\x83\x62\x83\x5a\x81\x5b\x83\x57\x82\xcc\x8d\x82"
		    "\x91\xac\x91\x53\x95\xb6\x8c\x9f\x8d\xf5\x81\x41\x83\x5e"
		    "\x83\x75\x95\x5c\x8e\xa6\x81\x41\x83\x41\x81\x5b\x83\x4a"
		    "\x83\x43\x83\x75\x81\x42\x90\xdd\x92\xe8\x82\xe0\x8a\xc8"
		    "\x92\x50\x82\xc5\x82\xb7\x81\x42" "\n",
		.text =
		    "\xe3\x83\xa1\xe3\x83\x83\xe3\x82\xbb\xe3\x83\xbc\xe3\x82"
		    "\xb8\xe3\x81\xae\xe9\xab\x98\xe9\x80\x9f\xe5\x85\xa8\xe6"
		    "\x96\x87\xe6\xa4\x9c\xe7\xb4\xa2\xe3\x80\x81\xe3\x82\xbf"
		    "\xe3\x83\x96\xe8\xa1\xa8\xe7\xa4\xba\xe3\x80\x81\xe3\x82"
		    "\xa2\xe3\x83\xbc\xe3\x82\xab\xe3\x82\xa4\xe3\x83\x96\xe3"
		    "\x80\x82\xe8\xa8\xad\xe5\xae\x9a\xe3\x82\x82\xe7\xb0\xa1"
		    "\xe5\x8d\x98\xe3\x81\xa7\xe3\x81\x99\xe3\x80\x82" "\n",
	},
	{
		/* enmime's chardet-success-big-5. */
		.name = "Big5 body labelled us-ascii",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: text/plain; charset=us-ascii\n"
		    "\n"
		    "\xa8\xa5\xbb\x79\xa4\xa3\xa6\x50\xa1\x41\xa5\xcd\xa5\xc1"
		    "\xa4\x77\xa8\xd3\xa1\x41\xa9\x54\xb1\x60\xb5\x4d\xa8\x6f"
		    "\xa1\x43\xab\xe1\xa6\xb3\xb4\xad\xb6\xaf\xb5\xdb\xa4\xe8"
		    "\xa8\xa5\xa1\x43" "\n",
		.text =
		    "\xe8\xa8\x80\xe8\xaa\x9e\xe4\xb8\x8d\xe5\x90\x8c\xef\xbc"
		    "\x8c\xe7\x94\x9f\xe6\xb0\x91\xe5\xb7\xb2\xe4\xbe\x86\xef"
		    "\xbc\x8c\xe5\x9b\xba\xe5\xb8\xb8\xe7\x84\xb6\xe7\x9f\xa3"
		    "\xe3\x80\x82\xe5\xbe\x8c\xe6\x9c\x89\xe6\x8f\x9a\xe9\x9b"
		    "\x84\xe8\x91\x97\xe6\x96\xb9\xe8\xa8\x80\xe3\x80\x82" "\n",
	},
	{
		.name = "German with many umlauts stays windows-1252",
		.input =
		    "From: a@example.com\n"
		    "Subject: no charset\n"
		    "\n"
		    "Gr\xf6\xdf" "en\xe4nderung f\xfcr \xdc" "bergr\xf6\xdf"
		    "e: \xc4pfel \xfc" "ber \xd6l\n",
		.text =
		    "Gr\xc3\xb6\xc3\x9f" "en\xc3\xa4nderung f\xc3\xbcr \xc3"
		    "\x9c" "bergr\xc3\xb6\xc3\x9f" "e: \xc3\x84pfel \xc3\xbc"
		    "ber \xc3\x96l\n",
	},
	{
		.name = "declared utf-8 but latin1 bytes",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: text/plain; charset=utf-8\n"
		    "\n"
		    "na\xefve caf\xe9\n",
		.text = "na\xc3\xafve caf\xc3\xa9\n",
	},
	{
		.name = "declared latin1 but utf-8 bytes",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: text/plain; charset=iso-8859-1\n"
		    "\n"
		    "caf\xc3\xa9\n",
		.text = "caf\xc3\xa9\n",
	},
	{
		.name = "windows-1252 declared",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: text/plain; charset=windows-1252\n"
		    "\n"
		    "\x80 5 \x96 \x85\n",
		.text = "\xe2\x82\xac 5 \xe2\x80\x93 \xe2\x80\xa6\n",
	},
	{
		/* Mailers label CP949 text euc-kr: 0x8c63 is only in CP949. */
		.name = "euc-kr label, CP949 extension syllable",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: text/plain; charset=euc-kr\n"
		    "\n"
		    "\xbe\xc8\x8c\x63\n",
		.text = "\xec\x95\x88\xeb\x98\xa0\n",
	},
	{
		/* ... and GBK text gb2312: 0x88d2 is only in GBK/GB18030. */
		.name = "gb2312 label, GBK character",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: text/plain; charset=gb2312\n"
		    "\n"
		    "\xd6\xd0\x88\xd2\n",
		.text = "\xe4\xb8\xad\xe5\xa0\x83\n",
	},
	{
		/* ... and CP932 text shift_jis: 0x8740 (circled 1) is NEC's. */
		.name = "shift_jis label, CP932 character",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: text/plain; charset=shift_jis\n"
		    "\n"
		    "\x83\x65\x83\x58\x83\x67\x87\x40\n",
		.text = "\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88\xe2\x91"
		    "\xa0\n",
	},
	{
		.name = "windows-31j label",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: text/plain; charset=windows-31j\n"
		    "\n"
		    "\x83\x65\x83\x58\x83\x67\x87\x40\n",
		.text = "\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88\xe2\x91"
		    "\xa0\n",
	},
	{
		.name = "unknown charset falls back",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: text/plain; charset=x-no-such-charset\n"
		    "\n"
		    "caf\xe9\n",
		.text = "caf\xc3\xa9\n",
	},
	{
		.name = "iso-2022-jp",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: text/plain; charset=ISO-2022-JP\n"
		    "\n"
		    "\x1b$B$3$s$K$A$O\x1b(B\n",
		.text = "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1"
		    "\xe3\x81\xaf\n",
	},
	{
		.name = "RFC 2047 subject, B and Q",
		.input =
		    "From: =?UTF-8?B?SsO8cmdlbg==?= <j@example.com>\n"
		    "Subject: =?UTF-8?B?R3LDvMOfZQ==?= und\n"
		    " =?ISO-8859-1?Q?caf=E9_cr=E8me?=\n"
		    "\n"
		    "x\n",
		.from = "J\xc3\xbcrgen <j@example.com>",
		.from_addr = "j@example.com",
		.subject = "Gr\xc3\xbc\xc3\x9f" "e und caf\xc3\xa9 cr\xc3\xa8me",
	},
	{
		.name = "undeclared 8-bit subject",
		.input =
		    "From: a@example.com\n"
		    "Subject: R\xe9sum\xe9\n"
		    "\n"
		    "x\n",
		.subject = "R\xc3\xa9sum\xc3\xa9",
	},
	{
		.name = "control characters in headers",
		.input =
		    "From: a@example.com\n"
		    "Subject: tab\there\x01 bell\x07\n"
		    "\n"
		    "x\n",
		.subject = "tab here  bell",
	},
	{
		.name = "RFC 2231 filename",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: multipart/mixed; boundary=\"xx\"\n"
		    "\n"
		    "--xx\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "see attached\n"
		    "--xx\n"
		    "Content-Type: application/pdf\n"
		    "Content-Disposition: attachment;\n"
		    " filename*=UTF-8''%C3%A9t%C3%A9.pdf\n"
		    "Content-Transfer-Encoding: base64\n"
		    "\n"
		    "SGVsbG8gd29ybGQh\n"
		    "--xx\n"
		    "Content-Type: Application/Octet-Stream; name=x\n"
		    "Content-Disposition: attachment;\n"
		    " filename*0*=iso-8859-1''r%E9sum;\n"
		    " filename*1*=%E9.txt\n"
		    "\n"
		    "abc\n"
		    "--xx--\n",
		.text = "see attached",
		.attachments = 2,
		.att = {
			{ "\xc3\xa9t\xc3\xa9.pdf", "application/pdf", 12 },
			{ "r\xc3\xa9sum\xc3\xa9.txt",
			    "application/octet-stream", 3 },
		},
	},
	{
		.name = "nested mixed > alternative > related",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: multipart/mixed; boundary=m\n"
		    "\n"
		    "--m\n"
		    "Content-Type: multipart/alternative; boundary=a\n"
		    "\n"
		    "--a\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "the text\n"
		    "--a\n"
		    "Content-Type: multipart/related; boundary=r\n"
		    "\n"
		    "--r\n"
		    "Content-Type: text/html\n"
		    "\n"
		    "<img src=\"cid:i1\">the html\n"
		    "--r\n"
		    "Content-Type: image/png; name=logo.png\n"
		    "Content-ID: <i1>\n"
		    "Content-Transfer-Encoding: base64\n"
		    "\n"
		    "iVBORw0K\n"
		    "--r--\n"
		    "--a--\n"
		    "--m\n"
		    "Content-Type: application/zip\n"
		    "Content-Disposition: attachment; filename=\"a.zip\"\n"
		    "\n"
		    "PK\n"
		    "--m--\n",
		.text = "the text",
		.html = "<img src=\"cid:i1\">the html",
		.attachments = 2,
		.att = {
			{ "logo.png", "image/png", 6 },
			{ "a.zip", "application/zip", 2 },
		},
	},
	{
		.name = "related: start parameter picks the root",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: multipart/related; boundary=r;"
		    " start=\"<root@x>\"\n"
		    "\n"
		    "--r\n"
		    "Content-Type: text/css\n"
		    "Content-ID: <css@x>\n"
		    "\n"
		    "p{}\n"
		    "--r\n"
		    "Content-Type: text/html\n"
		    "Content-ID: <root@x>\n"
		    "\n"
		    "<p>root</p>\n"
		    "--r--\n",
		.html = "<p>root</p>",
		.text = ABSENT,
		.attachments = 1,
		.att = { { "", "text/css", 3 } },
	},
	{
		.name = "Apple Mail split body around an inline image",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: multipart/mixed; boundary=s\n"
		    "\n"
		    "--s\n"
		    "Content-Type: text/plain; charset=us-ascii\n"
		    "\n"
		    "before the image\n"
		    "--s\n"
		    "Content-Type: image/jpeg; name=photo.jpg\n"
		    "Content-Disposition: inline; filename=photo.jpg\n"
		    "\n"
		    "JPEG\n"
		    "--s\n"
		    "Content-Type: text/plain; charset=us-ascii\n"
		    "\n"
		    "after the image\n"
		    "--s\n"
		    "Content-Type: text/plain; name=notes.txt\n"
		    "Content-Disposition: inline; filename=notes.txt\n"
		    "\n"
		    "shown inline too\n"
		    "--s--\n",
		.text = "before the image\nafter the image\nshown inline too",
		.attachments = 1,
		.att = {
			{ "photo.jpg", "image/jpeg", 4 },
		},
	},
	{
		.name = "text part named by Content-Type name= only is body",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: multipart/mixed; boundary=s\n"
		    "\n"
		    "--s\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "first\n"
		    "--s\n"
		    "Content-Type: text/plain; name=\"msg.txt\"\n"
		    "\n"
		    "second\n"
		    "--s--\n",
		.text = "first\nsecond",
		.pieces = -1,
	},
	{
		.name = "Content-Type text without subtype is text/plain",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: text\n"
		    "\n"
		    "plain words\n",
		.text = "plain words\n",
	},
	{
		.name = "garbage Content-Type is text/plain",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: multipart/mixed; boundary=s\n"
		    "\n"
		    "--s\n"
		    "Content-Type: ;;; nonsense here\n"
		    "\n"
		    "still readable\n"
		    "--s\n"
		    "Content-Type: text/\n"
		    "\n"
		    "also readable\n"
		    "--s--\n",
		.text = "still readable\nalso readable",
	},
	{
		.name = "multipart/related root named by start=, not first",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: multipart/related; boundary=r;\n"
		    " type=\"text/html\"; start=\"<root@x>\"\n"
		    "\n"
		    "--r\n"
		    "Content-Type: image/png\n"
		    "Content-ID: <img@x>\n"
		    "\n"
		    "PNG\n"
		    "--r\n"
		    "Content-Type: text/html\n"
		    "Content-ID: <root@x>\n"
		    "\n"
		    "<p>the page</p>\n"
		    "--r--\n",
		.html = "<p>the page</p>",
		.attachments = 1,
		.att = { { "", "image/png", 3 } },
	},
	{
		.name = "multipart/related root found by type= without start=",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: multipart/related; boundary=r;"
		    " type=\"text/html\"\n"
		    "\n"
		    "--r\n"
		    "Content-Type: image/png\n"
		    "\n"
		    "PNG\n"
		    "--r\n"
		    "Content-Type: text/html\n"
		    "\n"
		    "<p>the page</p>\n"
		    "--r--\n",
		.html = "<p>the page</p>",
		.attachments = 1,
	},
	{
		.name = "text/plain and text/html siblings keep their order",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: multipart/mixed; boundary=s\n"
		    "\n"
		    "--s\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "one\n"
		    "--s\n"
		    "Content-Type: text/html\n"
		    "\n"
		    "<p>two</p>\n"
		    "--s\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "three\n"
		    "--s--\n",
		.text = "one\nthree",
		.html = "<p>two</p>",
		.pieces = 3,
	},
	{
		.name = "an alternative beside a text part: two pieces",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: multipart/mixed; boundary=s\n"
		    "\n"
		    "--s\n"
		    "Content-Type: multipart/alternative; boundary=a\n"
		    "\n"
		    "--a\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "body\n"
		    "--a\n"
		    "Content-Type: text/html\n"
		    "\n"
		    "<p>body</p>\n"
		    "--a--\n"
		    "--s\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "footer\n"
		    "--s--\n",
		.text = "body\nfooter",
		.html = "<p>body</p>",
		.pieces = 2,
	},
	{
		.name = "plain alternative only: no pieces",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: multipart/alternative; boundary=a\n"
		    "\n"
		    "--a\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "body\n"
		    "--a\n"
		    "Content-Type: text/html\n"
		    "\n"
		    "<p>body</p>\n"
		    "--a--\n",
		.text = "body",
		.html = "<p>body</p>",
		.pieces = -1,
	},
	{
		.name = "uuencoded block in text/plain: a marker, an attachment",
		.input =
		    "From: a@example.com\n"
		    "\n"
		    "the photo:\n"
		    "begin 644 ../photo.gif\n"
		    UU10
		    "`\n"
		    "end\n"
		    "bye\n",
		.text = "the photo:\n[uuencoded file: photo.gif]\nbye\n",
		.attachments = 1,
		.att = { { "photo.gif", "application/octet-stream", 10 } },
	},
	{
		.name = "uuencode beside text/html: the pieces have the marker",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: multipart/mixed; boundary=s\n"
		    "\n"
		    "--s\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "one\n"
		    "begin 644 f.bin\n"
		    UU10
		    "`\n"
		    "end\n"
		    "--s\n"
		    "Content-Type: text/html\n"
		    "\n"
		    "<p>two</p>\n"
		    "--s\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "three\n"
		    "--s--\n",
		.text = "one\n[uuencoded file: f.bin]\nthree",
		.html = "<p>two</p>",
		.pieces = 3,
		.attachments = 1,
		.att = { { "f.bin", "application/octet-stream", 10 } },
	},
	{
		.name = "uuencode in text/html is left alone",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: text/html\n"
		    "\n"
		    "<pre>\n"
		    "begin 644 f.bin\n"
		    UU10
		    "`\n"
		    "end\n"
		    "</pre>\n",
		.html_has = "begin 644 f.bin",
		.attachments = 0,
	},
	{
		.name = "uuencode in a text attachment: listed after it",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: multipart/mixed; boundary=s\n"
		    "\n"
		    "--s\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "see the file\n"
		    "--s\n"
		    "Content-Type: text/plain; name=notes.txt\n"
		    "Content-Disposition: attachment; filename=notes.txt\n"
		    "\n"
		    "notes\n"
		    "begin 644 f.bin\n"
		    UU10
		    "`\n"
		    "end\n"
		    "--s--\n",
		.limits = { .max_size = 64 * MB, .max_depth = 20,
		    .max_parts = 500, .max_body = MB,
		    .max_inline_text = 64 * 1024 },
		.text_has = "notes\n[uuencoded file: f.bin]",
		.attachments = 2,
		.att = { { "notes.txt", "text/plain", -1 },
		    { "f.bin", "application/octet-stream", 10 } },
	},
	{
		.name = "prose: begin 644 meetings stays",
		.input =
		    "From: a@example.com\n"
		    "\n"
		    "begin 644 meetings\n"
		    "with the board\n",
		.text = "begin 644 meetings\nwith the board\n",
		.attachments = 0,
	},
	{
		.name = "a .log attachment is shown under its name and listed",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: multipart/mixed; boundary=s\n"
		    "\n"
		    "--s\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "see log\n"
		    "--s\n"
		    "Content-Type: application/octet-stream\n"
		    "Content-Disposition: attachment; filename=build.log\n"
		    "\n"
		    "error 1\n"
		    "--s--\n",
		.limits = { .max_size = 64 * MB, .max_depth = 20,
		    .max_parts = 500, .max_body = MB,
		    .max_inline_text = 1024 },
		.text = "see log\n\n[Attached file: build.log]\nerror 1",
		.attachments = 1,
		.att = { { "build.log", "application/octet-stream", 7 } },
	},
	{
		.name = "a text attachment over max_inline_text: cut, notice",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: multipart/mixed; boundary=s\n"
		    "\n"
		    "--s\n"
		    "Content-Type: text/plain; name=a.txt\n"
		    "Content-Disposition: attachment\n"
		    "\n"
		    "line one\n"
		    "line two\n"
		    "line three\n"
		    "--s--\n",
		.limits = { .max_size = 64 * MB, .max_depth = 20,
		    .max_parts = 500, .max_body = MB,
		    .max_inline_text = 14 },
		.text = "[Attached file: a.txt]\nline one\n"
		    "[Only the first 14 bytes of a.txt are shown]\n",
		.attachments = 1,
	},
	{
		.name = "a text attachment as an alternative is not the body",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: multipart/alternative; boundary=a\n"
		    "\n"
		    "--a\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "the body\n"
		    "--a\n"
		    "Content-Type: application/octet-stream\n"
		    "Content-Disposition: attachment; filename=a.txt\n"
		    "\n"
		    "the file\n"
		    "--a--\n",
		.limits = { .max_size = 64 * MB, .max_depth = 20,
		    .max_parts = 500, .max_body = MB,
		    .max_inline_text = 1024 },
		.text = "the body",
		.attachments = 1,
	},
	{
		.name = "a binary file with a text name is not shown",
		BIN("From: a@example.com\n"
		    "Content-Type: multipart/mixed; boundary=s\n"
		    "\n"
		    "--s\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "hi\n"
		    "--s\n"
		    "Content-Type: application/octet-stream\n"
		    "Content-Disposition: attachment; filename=x.log\n"
		    "\n"
		    "\x01\x02\x03\x00\x00\x00\x04\x05\x06\x07\n"
		    "--s--\n"),
		.limits = { .max_size = 64 * MB, .max_depth = 20,
		    .max_parts = 500, .max_body = MB,
		    .max_inline_text = 1024 },
		.text = "hi",
		.attachments = 1,
	},
	{
		.name = "attachment only",
		.input =
		    "From: a@example.com\n"
		    "Subject: scan\n"
		    "Content-Type: multipart/mixed; boundary=z\n"
		    "\n"
		    "--z\n"
		    "Content-Type: application/pdf; name=\"scan.pdf\"\n"
		    "Content-Disposition: attachment; filename=\"scan.pdf\"\n"
		    "Content-Transfer-Encoding: base64\n"
		    "\n"
		    "JVBERi0xLjQK\n"
		    "--z--\n",
		.text = ABSENT,
		.html = ABSENT,
		.attachments = 1,
		.att = { { "scan.pdf", "application/pdf", 9 } },
	},
	{
		.name = "top-level attachment",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: image/gif\n"
		    "Content-Transfer-Encoding: base64\n"
		    "\n"
		    "R0lGODlh\n",
		.text = ABSENT,
		.attachments = 1,
		.att = { { "", "image/gif", 6 } },
	},
	{
		.name = "quoted-printable attachment size",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: multipart/mixed; boundary=q\n"
		    "\n"
		    "--q\n"
		    "Content-Type: text/csv; name=a.csv\n"
		    "Content-Transfer-Encoding: quoted-printable\n"
		    "\n"
		    "a=3Db=\n"
		    "c\n"
		    "--q--\n",
		.attachments = 1,
		.att = { { "a.csv", "text/csv", 4 } },
	},
	{
		.name = "message/rfc822 forward",
		.input =
		    "From: Fwd Er <f@example.com>\n"
		    "Subject: Fwd: broken\n"
		    "Content-Type: multipart/mixed; boundary=f\n"
		    "\n"
		    "--f\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "see below\n"
		    "--f\n"
		    "Content-Type: message/rfc822\n"
		    "Content-Disposition: inline\n"
		    "\n"
		    "From: Orig Sender <orig@example.net>\n"
		    "Date: Tue, 2 Jan 2024 09:00:00 +0000\n"
		    "Subject: broken\n"
		    "Content-Type: multipart/alternative; boundary=g\n"
		    "\n"
		    "--g\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "it is broken\n"
		    "--g\n"
		    "Content-Type: text/html\n"
		    "\n"
		    "<p>it is broken</p>\n"
		    "--g--\n"
		    "\n"
		    "--f--\n",
		.text = "see below",
		.subject = "Fwd: broken",
		.forwards = 1,
		.fwd_from = "Orig Sender <orig@example.net>",
		.fwd_subject = "broken",
		.fwd_text = "it is broken",
	},
	{
		.name = "forward as attachment",
		.input =
		    "From: f@example.com\n"
		    "Content-Type: multipart/mixed; boundary=f\n"
		    "\n"
		    "--f\n"
		    "Content-Type: message/rfc822; name=\"orig.eml\"\n"
		    "Content-Disposition: attachment; filename=\"orig.eml\"\n"
		    "\n"
		    "From: o@example.net\n"
		    "Subject: original\n"
		    "\n"
		    "original body\n"
		    "--f--\n",
		.text = ABSENT,
		.forwards = 1,
		.fwd_subject = "original",
		.fwd_text = "original body",
	},
	{
		/* SwiftMailer, some webmailers: message/rfc822 in base64 is
		 * still a forward, not an "(unnamed)" attachment. */
		.name = "forward as base64 attachment",
		.input =
		    "From: f@example.com\n"
		    "Content-Type: multipart/mixed; boundary=f\n"
		    "\n"
		    "--f\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "see attached\n"
		    "--f\n"
		    "Content-Type: message/rfc822; name=orig.eml\n"
		    "Content-Transfer-Encoding: base64\n"
		    "Content-Disposition: attachment; filename=orig.eml\n"
		    "\n"
		    "RnJvbTogb0BleGFtcGxlLm5ldA0KU3ViamVjdDogb3JpZ2lu\n"
		    "YWwNCg0Kb3JpZ2luYWwgYm9keQ0K\n"
		    "--f--\n",
		.text = "see attached",
		.attachments = 0,
		.forwards = 1,
		.fwd_subject = "original",
		.fwd_text = "original body\n",
	},
	{
		/* Exchange converting an attached Outlook item: a blank line
		 * before Content-Type (RT's outlook-rfc822). */
		.name = "Exchange forward with its MIME fields in the body",
		.input =
		    "From: f@example.com\n"
		    "Content-Type: multipart/mixed; boundary=f\n"
		    "\n"
		    "--f\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "see attached\n"
		    "--f\n"
		    "Content-Type: message/rfc822\n"
		    "\n"
		    "From: o@example.net\n"
		    "Subject: original\n"
		    "\n"
		    "Content-Type: multipart/alternative; boundary=g\n"
		    "MIME-Version: 1.0\n"
		    "\n"
		    "--g\n"
		    "Content-Type: text/plain; charset=utf-8\n"
		    "Content-Transfer-Encoding: base64\n"
		    "\n"
		    "dGhpcyBpcyBhIHRlc3Q=\n"
		    "--g--\n"
		    "--f--\n",
		.text = "see attached",
		.forwards = 1,
		.fwd_subject = "original",
		.fwd_text = "this is a test",
	},
	{
		.name = "forward whose text only starts like a header",
		.input =
		    "From: f@example.com\n"
		    "Content-Type: multipart/mixed; boundary=f\n"
		    "\n"
		    "--f\n"
		    "Content-Type: message/rfc822\n"
		    "\n"
		    "From: o@example.net\n"
		    "Subject: headers\n"
		    "\n"
		    "Content-Type: is what the server sent, see?\n"
		    "--f--\n",
		.text = ABSENT,
		.forwards = 1,
		.fwd_subject = "headers",
		.fwd_text = "Content-Type: is what the server sent, see?",
	},
	{
		.name = "base64 message/rfc822 that is no message",
		.input =
		    "From: f@example.com\n"
		    "Content-Type: multipart/mixed; boundary=f\n"
		    "\n"
		    "--f\n"
		    "Content-Type: message/rfc822; name=x.eml\n"
		    "Content-Transfer-Encoding: base64\n"
		    "\n"
		    "AAECAwQ=\n"
		    "--f--\n",
		.attachments = 1,
		.att = { { "x.eml", "message/rfc822", 5 } },
		.forwards = 0,
	},
	{
		.name = "multipart/report is automatic",
		.input =
		    "From: MAILER-DAEMON@mx.example.com (Mail Delivery System)\n"
		    "Subject: Undelivered Mail Returned to Sender\n"
		    "Content-Type: multipart/report; report-type=delivery-status;"
		    " boundary=r\n"
		    "\n"
		    "--r\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "I'm sorry to have to inform you\n"
		    "--r\n"
		    "Content-Type: message/delivery-status\n"
		    "\n"
		    "Reporting-MTA: dns; mx.example.com\n"
		    "--r\n"
		    "Content-Type: text/rfc822-headers\n"
		    "\n"
		    "Subject: hi\n"
		    "--r--\n",
		.automatic = "multipart/report (delivery or read report)",
		.text = "I'm sorry to have to inform you",
		.attachments = 2,
		.att = { { "", "message/delivery-status", -1 },
		    { "", "text/rfc822-headers", -1 } },
	},
	{
		.name = "Auto-Submitted: auto-replied",
		.input =
		    "From: a@example.com\n"
		    "Auto-Submitted: Auto-Replied (vacation)\n"
		    "\n"
		    "away\n",
		.automatic = "Auto-Submitted: auto-replied",
	},
	{
		.name = "Auto-Submitted: no",
		.input =
		    "From: a@example.com\n"
		    "Auto-Submitted: no\n"
		    "\n"
		    "here\n",
		.automatic = ABSENT,
	},
	{
		.name = "Auto-Submitted: other value",
		.input =
		    "From: a@example.com\n"
		    "Auto-Submitted: auto-something; x=y\n"
		    "\n"
		    "here\n",
		.automatic = "Auto-Submitted (not \"no\")",
	},
	{
		/* RFC 3834: any keyword but "no" is automatic. */
		.name = "Auto-Submitted: none is not \"no\"",
		.input =
		    "From: a@example.com\n"
		    "Auto-Submitted: none\n"
		    "\n"
		    "here\n",
		.automatic = "Auto-Submitted (not \"no\")",
	},
	{
		.name = "Precedence: listserv is not list",
		.input =
		    "From: a@example.com\n"
		    "Precedence: listserv\n"
		    "\n"
		    "hi\n",
		.automatic = ABSENT,
	},
	{
		.name = "X-Failed-Recipients: an old-style bounce",
		.input =
		    "From: Mail System <mail@example.com>\n"
		    "X-Failed-Recipients: gone@example.org\n"
		    "Subject: failed\n"
		    "\n"
		    "A message could not be delivered.\n",
		.automatic = "X-Failed-Recipients header (bounce)",
	},
	{
		/* No address at all: the header text, decoded. */
		.name = "From: only an encoded comment",
		.input =
		    "From: (=?utf-8?q?Caf=C3=A9_Bar?=)\n"
		    "Subject: x\n"
		    "\n"
		    "hi\n",
		.from = "(Caf\xc3\xa9 Bar)",
	},
	{
		.name = "Precedence: bulk",
		.input =
		    "From: a@example.com\n"
		    "Precedence: BULK\n"
		    "\n"
		    "news\n",
		.automatic = "Precedence: bulk",
	},
	{
		.name = "Precedence: first-class is fine",
		.input =
		    "From: a@example.com\n"
		    "Precedence: first-class\n"
		    "X-Auto-Response-Suppress: All\n"
		    "\n"
		    "hi\n",
		.automatic = ABSENT,
	},
	{
		.name = "X-Autoreply",
		.input =
		    "From: a@example.com\n"
		    "X-Autoreply: yes\n"
		    "\n"
		    "away\n",
		.automatic = "X-Autoreply header",
	},
	{
		.name = "X-Autorespond",
		.input =
		    "From: a@example.com\n"
		    "X-Autorespond: vacation\n"
		    "\n"
		    "away\n",
		.automatic = "X-Autorespond header",
	},
	{
		.name = "abuse complaint: a mail enclosed in multipart/mixed",
		.input =
		    "From: staff@hotmail.com\n"
		    "Subject: complaint about message from 192.0.2.1\n"
		    "Content-Type: multipart/mixed; boundary=b\n"
		    "\n"
		    "--b\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "This is an email abuse report.\n"
		    "--b\n"
		    "Content-Type: message/rfc822\n"
		    "\n"
		    "From: x@example.com\n"
		    "Subject: hi\n"
		    "\n"
		    "spam?\n"
		    "--b--\n",
		.text_has = "abuse report",
		.forwards = 1,
		.automatic = "abuse complaint (a mail enclosed, from an "
		    "abuse desk)",
	},
	{
		.name = "enclosed mail beside a feedback report: not this rule",
		.input =
		    "From: staff@example.com\n"
		    "Subject: complaint about message from 192.0.2.1\n"
		    "Content-Type: multipart/mixed; boundary=b\n"
		    "\n"
		    "--b\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "report\n"
		    "--b\n"
		    "Content-Type: message/feedback-report\n"
		    "\n"
		    "Feedback-Type: abuse\n"
		    "--b\n"
		    "Content-Type: message/rfc822\n"
		    "\n"
		    "From: x@example.com\n"
		    "\n"
		    "spam?\n"
		    "--b--\n",
		.any_rc = true,
		.automatic = ABSENT,
	},
	{
		.name = "a person's mail with an attached .eml: not automatic",
		.input =
		    "From: alice@example.com\n"
		    "Subject: Fwd: phishing?\n"
		    "Content-Type: multipart/mixed; boundary=b\n"
		    "\n"
		    "--b\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "Is this real?\n"
		    "--b\n"
		    "Content-Type: message/rfc822\n"
		    "\n"
		    "From: x@example.com\n"
		    "\n"
		    "spam?\n"
		    "--b--\n",
		.text_has = "Is this real?",
		.forwards = 1,
		.automatic = ABSENT,
	},
	{
		.name = "Outlook out-of-office: subject and X-Auto-Response-Suppress",
		.input =
		    "From: bob@example.com\n"
		    "Subject: Automatic reply: Printer\n"
		    "X-Auto-Response-Suppress: All\n"
		    "\n"
		    "away\n",
		.automatic = "out-of-office subject and X-Auto-Response-Suppress",
	},
	{
		.name = "iCloud vacation: X-Apple-Action",
		.input =
		    "From: sam@icloud.com\n"
		    "Subject: Auto reply: Printer\n"
		    "X-Apple-Action: VACATION\n"
		    "\n"
		    "away\n",
		.automatic = "X-Apple-Action: vacation",
	},
	{
		.name = "CR line ends only: read as LF",
		.input =
		    "From: a@example.com\r"
		    "Subject: cr\r"
		    "Content-Type: multipart/report; boundary=b\r"
		    "\r"
		    "--b\r"
		    "Content-Type: text/plain\r"
		    "\r"
		    "failed\r"
		    "--b--\r",
		.subject = "cr",
		.text = "failed",
		.automatic = "multipart/report (delivery or read report)",
	},
	{
		.name = "LF header lines added to a CR-only DSN: read as LF",
		.input =
		    "Return-Path: <>\n"
		    "Delivered-To: support@example.com\n"
		    "From: a@example.com\r"
		    "Subject: cr\r"
		    "Content-Type: multipart/report; boundary=b\r"
		    "\r"
		    "--b\r"
		    "Content-Type: text/plain\r"
		    "\r"
		    "failed\r"
		    "--b--\r",
		.subject = "cr",
		.text = "failed",
		.automatic = "multipart/report (delivery or read report)",
	},
	{
		.name = "mixed CRLF, LF and CR line ends",
		.input =
		    "From: a@example.com\r\n"
		    "Subject: mixed\r"
		    "To: b@example.com\n"
		    "\r\n"
		    "one\rtwo\nthree\r\nfour\n",
		.subject = "mixed",
		.to = "b@example.com",
		.text = "one\ntwo\nthree\nfour\n",
	},
	{
		.name = "white space only line ends the header",
		.input =
		    "From: a@example.com\n"
		    "Subject: ws\n"
		    " \t \n"
		    "Note: this looks like a field\n"
		    "second line\n",
		.subject = "ws",
		.text = "Note: this looks like a field\nsecond line\n",
	},
	{
		.name = "a line that is no field starts the body, kept",
		.input =
		    "From: a@example.com\n"
		    "Subject: stray\n"
		    "This is the body\n"
		    "line two\n"
		    "\n"
		    "line four\n",
		.subject = "stray",
		.text = "This is the body\nline two\n\nline four\n",
	},
	{
		.name = "a >From line starts the body, kept",
		.input =
		    "From: a@example.com\r\n"
		    "Subject: gt\r\n"
		    ">From the desk\r\n"
		    "more\r\n",
		.subject = "gt",
		.text = ">From the desk\nmore\n",
	},
	{
		.name = "an 8-bit field name starts the body, kept",
		.input =
		    "From: a@example.com\n"
		    "Subject: 8bit\n"
		    "X-J\xc3\xa9nk: value\n"
		    "\n"
		    "body\n",
		.subject = "8bit",
		.text = "X-J\xc3\xa9nk: value\n\nbody\n",
	},
	{
		.name = "a text line before a multipart's body: the MIME "
		    "fields before it still count",
		.input =
		    "From: a@example.com\n"
		    "MIME-Version: 1.0\n"
		    "Content-Type: multipart/mixed; boundary=b\n"
		    "--b\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "inside\n"
		    "--b--\n",
		.text = "inside",
	},
	{
		.name = "From MAILER-DAEMON",
		.input =
		    "From: Mail Delivery Subsystem <mailer-daemon@example.com>\n"
		    "\n"
		    "bounce\n",
		.automatic = "From: MAILER-DAEMON",
		.from_addr = "mailer-daemon@example.com",
	},
	{
		.name = "CRLF line endings",
		.input =
		    "From: a@example.com\r\n"
		    "Subject: crlf\r\n"
		    " folded\r\n"
		    "Content-Type: multipart/alternative; boundary=c\r\n"
		    "\r\n"
		    "--c\r\n"
		    "Content-Type: text/plain\r\n"
		    "\r\n"
		    "line 1\r\n"
		    "line 2\r\n"
		    "--c\r\n"
		    "Content-Type: text/html\r\n"
		    "\r\n"
		    "<p>x</p>\r\n"
		    "--c--\r\n",
		.subject = "crlf folded",
		.text = "line 1\nline 2",
		.html = "<p>x</p>",
	},
	{
		.name = "BOM, NUL and control characters in a body",
		BIN("From: a@example.com\n"
		    "Content-Type: text/plain; charset=utf-8\n"
		    "\n"
		    "\xef\xbb\xbfhello\x00world\x1b[0m\rnext\n"),
		.text = "hello\xef\xbf\xbdworld\xef\xbf\xbd[0m\nnext\n",
	},
	{
		.name = "truncated multipart",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: multipart/mixed; boundary=t\n"
		    "\n"
		    "--t\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "start of the text\n"
		    "--t\n"
		    "Content-Type: application/octet-stream; name=cut.bin\n"
		    "Content-Transfer-Encoding: base64\n"
		    "\n"
		    "SGVsbG8gd29y",
		.text = "start of the text",
		.attachments = 1,
		.att = { { "cut.bin", "application/octet-stream", 9 } },
	},
	{
		.name = "headers but no body",
		.input = "From: a@example.com\nSubject: nothing\n",
		.subject = "nothing",
		.text = ABSENT,
		.html = ABSENT,
	},
	{
		.name = "mbox From_ line first",
		.input =
		    "From alice@example.com Mon Jan  1 00:00:00 2024\n"
		    "From: alice@example.com\n"
		    "Subject: mbox\n"
		    "\n"
		    "body\n",
		.subject = "mbox",
		.text = "body\n",
	},
	{
		.name = "message-id without brackets stays",
		.input =
		    "From: a@example.com\n"
		    "Message-Id:   <x@y>   \n"
		    "\n"
		    "b\n",
		.message_id = "x@y",
		.in_reply_to = ABSENT,
		.references = ABSENT,
		.cc = ABSENT,
	},
	{
		.name = "no header at all",
		.input = "\nonly a body\n",
		.rc = GW_EDATA,
	},
	{
		.name = "garbage bytes",
		BIN("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\xff\xfe:::\n\n"),
		.any_rc = true,
	},
	{
		.name = "garbage: colon soup",
		BIN(":\n:\n--\n\n\n--\x00\n"),
		.any_rc = true,
	},
	{
		.name = "empty",
		.input = "",
		.rc = GW_EDATA,
	},
	{
		.name = "only white space",
		.input = " \r\n\t\n\n",
		.rc = GW_EDATA,
	},
	{
		.name = "oversize",
		.input = "From: a@example.com\n\n0123456789\n",
		.limits = { .max_size = 20, .max_depth = 5, .max_parts = 5,
		    .max_body = 100 },
		.rc = GW_ETOOBIG,
	},
	{
		.name = "exactly at the size limit",
		.input = "From: a@example.com\n\n0123456789\n",
		.limits = { .max_size = 33, .max_depth = 5, .max_parts = 5,
		    .max_body = 100 },
		.text = "0123456789\n",
	},
	{
		.name = "body cap",
		.input = "From: a@example.com\n\n0123456789abcdef\n",
		.limits = { .max_size = 1000, .max_depth = 5, .max_parts = 5,
		    .max_body = 10 },
		.text = "0123456789",
		.truncated = true,
	},
	{
		.name = "body cap on a UTF-8 boundary",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: text/plain; charset=utf-8\n"
		    "\n"
		    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
		.limits = { .max_size = 1000, .max_depth = 5, .max_parts = 5,
		    .max_body = 5 },
		.text = "\xc3\xa9\xc3\xa9",
		.truncated = true,
	},
	{
		/* The cap is on the note's text, not on each part's. */
		.name = "body cap across two text parts",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: multipart/mixed; boundary=p\n"
		    "\n"
		    "--p\nContent-Type: text/plain\n\n0123456789\n"
		    "--p\nContent-Type: text/plain\n\nabcdefghij\n"
		    "--p--\n",
		.limits = { .max_size = 1000, .max_depth = 5, .max_parts = 5,
		    .max_body = 15 },
		.text = "0123456789\nabcd",
		.truncated = true,
	},
	{
		.name = "part cap",
		.input =
		    "From: a@example.com\n"
		    "Content-Type: multipart/mixed; boundary=p\n"
		    "\n"
		    "--p\n\nbody\n"
		    "--p\nContent-Type: image/png\n\n1\n"
		    "--p\nContent-Type: image/png\n\n2\n"
		    "--p\nContent-Type: image/png\n\n3\n"
		    "--p--\n",
		.limits = { .max_size = 1000, .max_depth = 5, .max_parts = 3,
		    .max_body = 100 },
		.text = "body",
		.attachments = 1,
		.limits_hit = true,
	},
};

/* want_str - check a string field against a want (NULL: skip) */
static void
want_str(const char *got, const char *want, const char *name,
    const char *field)
{
	char label[200];

	if (want == NULL)
		return;
	(void)snprintf(label, sizeof(label), "%s: %s", name, field);
	if (strcmp(want, ABSENT) == 0)
		tap_str(got, NULL, label);
	else
		tap_str(got, want, label);
}

/* want_has - check that got contains want (NULL: skip) */
static void
want_has(const char *got, const char *want, const char *name,
    const char *field)
{
	if (want == NULL)
		return;
	if (!tap_ok(got != NULL && strstr(got, want) != NULL, "%s: %s has \"%s\"",
	    name, field, want))
		printf("#   got: \"%s\"\n", got != NULL ? got : "(null)");
}

/* clean_field - valid UTF-8 without control characters (body: tab and
 * newline allowed); NULL is fine */
static bool
clean_field(const char *s, bool body)
{
	const unsigned char *p;

	if (s == NULL)
		return true;
	if (!g_utf8_validate(s, -1, NULL))
		return false;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (body && (*p == '\t' || *p == '\n'))
			continue;
		if (*p < 0x20 || *p == 0x7f)
			return false;
	}
	return true;
}

/* clean_message - every string of m (and its forwards) is clean; the
 * first bad field is named in *why_r */
static bool
clean_message(const struct message *m, const char **why_r)
{
	const struct message_attachment *a;
	guint i;

#define FIELD(f, body) \
	if (!clean_field(m->f, body)) { *why_r = #f; return false; }
	FIELD(from, false) FIELD(from_addr, false) FIELD(to, false)
	FIELD(cc, false) FIELD(date, false) FIELD(subject, false)
	FIELD(message_id, false) FIELD(in_reply_to, false)
	FIELD(references, false) FIELD(text, true) FIELD(html, true)
#undef FIELD
	for (i = 0; m->pieces != NULL && i < m->pieces->len; i++) {
		const struct message_piece *p = &g_array_index(m->pieces,
		    struct message_piece, i);

		if ((p->text_len > 0 && (m->text == NULL ||
		    p->text_off + p->text_len > strlen(m->text))) ||
		    (p->html_len > 0 && (m->html == NULL ||
		    p->html_off + p->html_len > strlen(m->html)))) {
			*why_r = "piece out of its body";
			return false;
		}
	}
	if (m->attachments == NULL || m->forwards == NULL) {
		*why_r = "NULL array";
		return false;
	}
	for (i = 0; i < m->attachments->len; i++) {
		a = g_ptr_array_index(m->attachments, i);
		if (a->filename == NULL || !clean_field(a->filename, false) ||
		    a->content_type == NULL ||
		    !clean_field(a->content_type, false)) {
			*why_r = "attachment";
			return false;
		}
	}
	for (i = 0; i < m->forwards->len; i++)
		if (!clean_message(g_ptr_array_index(m->forwards, i), why_r))
			return false;
	return true;
}

/* run_case - one row of the table */
static void
run_case(const struct parse_case *t)
{
	const struct message_limits *lim;
	const struct message_attachment *a;
	const struct message *fw;
	struct message *m;
	struct gw_error err;
	enum gw_status rc;
	const char *why;
	char label[200];
	size_t len;
	int i;

	lim = t->limits.max_size != 0 ? &t->limits : &limits_default;
	len = t->len != 0 ? t->len : strlen(t->input);
	gw_error_clear(&err);
	m = NULL;
	rc = message_parse_mem(t->input, len, lim, &m, &err);
	if (t->any_rc) {
		tap_ok(rc == GW_OK || rc == GW_EDATA, "%s: status %s (%s)",
		    t->name, status_name(rc), err.text);
		if (rc == GW_OK) {
			why = "";
			tap_ok(clean_message(m, &why), "%s: clean strings %s",
			    t->name, why);
		}
		message_free(&m);
		return;
	}
	(void)snprintf(label, sizeof(label), "%s: status", t->name);
	if (!tap_str(status_name(rc), status_name(t->rc), label))
		printf("#   error: %s\n", err.text);
	if (rc != GW_OK) {
		tap_ok(m == NULL && err.text[0] != '\0',
		    "%s: no message, error text \"%s\"", t->name, err.text);
		return;
	}
	if (m == NULL)
		return;

	want_str(m->from, t->from, t->name, "from");
	want_str(m->from_addr, t->from_addr, t->name, "from_addr");
	want_str(m->to, t->to, t->name, "to");
	want_str(m->cc, t->cc, t->name, "cc");
	want_str(m->date, t->date, t->name, "date");
	want_str(m->subject, t->subject, t->name, "subject");
	want_str(m->message_id, t->message_id, t->name, "message_id");
	want_str(m->in_reply_to, t->in_reply_to, t->name, "in_reply_to");
	want_str(m->references, t->references, t->name, "references");
	want_str(m->text, t->text, t->name, "text");
	want_str(m->html, t->html, t->name, "html");
	want_has(m->text, t->text_has, t->name, "text");
	want_has(m->html, t->html_has, t->name, "html");
	want_str(m->automatic, t->automatic, t->name, "automatic");

	(void)snprintf(label, sizeof(label), "%s: attachments", t->name);
	tap_int(m->attachments->len, t->attachments, label);
	for (i = 0; i < t->attachments && i < 3 &&
	    (guint)i < m->attachments->len; i++) {
		if (t->att[i].type == NULL)
			continue;
		a = g_ptr_array_index(m->attachments, i);
		(void)snprintf(label, sizeof(label), "%s: attachment %d name",
		    t->name, i);
		tap_str(a->filename, t->att[i].filename, label);
		(void)snprintf(label, sizeof(label), "%s: attachment %d type",
		    t->name, i);
		tap_str(a->content_type, t->att[i].type, label);
		if (t->att[i].size >= 0) {
			(void)snprintf(label, sizeof(label),
			    "%s: attachment %d size", t->name, i);
			tap_int((long long)a->size, t->att[i].size, label);
		}
	}
	(void)snprintf(label, sizeof(label), "%s: forwards", t->name);
	tap_int(m->forwards->len, t->forwards, label);
	if (t->forwards > 0 && m->forwards->len > 0) {
		fw = g_ptr_array_index(m->forwards, 0);
		want_str(fw->from, t->fwd_from, t->name, "forward from");
		want_str(fw->subject, t->fwd_subject, t->name,
		    "forward subject");
		want_str(fw->text, t->fwd_text, t->name, "forward text");
	}
	if (t->pieces != 0) {
		(void)snprintf(label, sizeof(label), "%s: pieces", t->name);
		tap_int(m->pieces != NULL ? (long long)m->pieces->len : -1,
		    t->pieces, label);
	}
	(void)snprintf(label, sizeof(label), "%s: truncated", t->name);
	tap_int(m->truncated, t->truncated, label);
	(void)snprintf(label, sizeof(label), "%s: limits_hit", t->name);
	tap_int(m->limits_hit, t->limits_hit, label);
	(void)snprintf(label, sizeof(label), "%s: size", t->name);
	tap_int((long long)m->size, (long long)len, label);
	why = "";
	tap_ok(clean_message(m, &why), "%s: clean strings %s", t->name, why);
	message_free(&m);
	tap_ok(m == NULL, "%s: message_free clears the pointer", t->name);
}

/* test_automatic - message_automatic() and the envelope sender */
static void
test_automatic(void)
{
	static const struct {
		const char *sender;
		const char *want;
	} rows[] = {
		{ NULL, NULL },
		{ "", "null envelope sender" },
		{ "<>", "null envelope sender" },
		{ "MAILER-DAEMON@mx.example.com", "envelope sender MAILER-DAEMON" },
		{ "<Mailer-Daemon@mx.example.com>",
		    "envelope sender MAILER-DAEMON" },
		{ "mailer-daemon", "envelope sender MAILER-DAEMON" },
		{ "alice@example.com", NULL },
		{ "mailer-daemon-fan@example.com", NULL },
	};
	struct message m;
	char label[120];
	size_t i;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < G_N_ELEMENTS(rows); i++) {
		(void)snprintf(label, sizeof(label), "automatic: sender %s",
		    rows[i].sender != NULL ? rows[i].sender : "(none)");
		tap_str(message_automatic(&m, rows[i].sender), rows[i].want,
		    label);
	}
	m.automatic = "Precedence: bulk";
	tap_str(message_automatic(&m, "alice@example.com"),
	    "Precedence: bulk", "automatic: the message's own reason wins");
	tap_str(message_automatic(NULL, NULL), NULL, "automatic: NULL message");
}

/* parse_string - parse a generated message; returns the status */
static enum gw_status
parse_string(const GString *s, const struct message_limits *lim,
    struct message **m_r)
{
	struct gw_error err;

	return message_parse_mem(s->str, s->len, lim, m_r, &err);
}

/* test_bombs - depth and part bombs, and the scanner's bounds */
static void
test_bombs(void)
{
	struct message_limits lim = limits_default;
	struct message *m;
	enum gw_status rc;
	GString *s;
	gint64 t0;
	int i;

	/* 200 nested multiparts, the innermost holding the text. */
	s = g_string_new("From: a@example.com\n"
	    "Content-Type: multipart/mixed; boundary=b0\n\n");
	for (i = 0; i < 200; i++)
		g_string_append_printf(s, "--b%d\nContent-Type: multipart/mixed;"
		    " boundary=b%d\n\n", i, i + 1);
	g_string_append(s, "--b200\n\ndeep text\n");
	for (i = 200; i >= 0; i--)
		g_string_append_printf(s, "--b%d--\n", i);
	m = NULL;
	rc = parse_string(s, &lim, &m);
	tap_str(status_name(rc), "OK", "depth bomb: parsed");
	tap_ok(m != NULL && m->limits_hit, "depth bomb: limits_hit");
	tap_ok(m != NULL && m->text == NULL, "depth bomb: deep text skipped");
	message_free(&m);

	/* The same within the depth limit. */
	lim.max_depth = 300;
	rc = parse_string(s, &lim, &m);
	tap_ok(rc == GW_OK && m != NULL, "deep but allowed: parsed");
	if (m != NULL)
		tap_ok(m->limits_hit || (m->text != NULL &&
		    strcmp(m->text, "deep text") == 0),
		    "deep but allowed: text found or GMime's own cap noted");
	message_free(&m);
	g_string_free(s, TRUE);

	/* 5000 levels: GMime's own nesting cap is reported as limits_hit. */
	s = g_string_new("From: a@example.com\n"
	    "Content-Type: multipart/mixed; boundary=b0\n\n");
	for (i = 0; i < 5000; i++)
		g_string_append_printf(s, "--b%d\nContent-Type: multipart/mixed;"
		    " boundary=b%d\n\n", i, i + 1);
	g_string_append(s, "--b5000\n\ndeep text\n");
	lim.max_depth = 1000000;
	lim.max_parts = 1000000;
	rc = parse_string(s, &lim, &m);
	tap_ok(rc == GW_OK && m != NULL && m->limits_hit && m->warnings > 0,
	    "5000 levels, no depth limit of ours: GMime's cap noted");
	message_free(&m);
	g_string_free(s, TRUE);
	lim = limits_default;

	/* Nested message/rfc822 forwards. */
	s = g_string_new("");
	for (i = 0; i < 100; i++)
		g_string_append_printf(s, "From: f%d@example.com\n"
		    "Content-Type: message/rfc822\n\n", i);
	g_string_append(s, "From: last@example.com\n\ninnermost\n");
	rc = parse_string(s, &lim, &m);
	tap_ok(rc == GW_OK && m != NULL && m->limits_hit,
	    "forward bomb: parsed, limits_hit");
	message_free(&m);
	g_string_free(s, TRUE);

	/* 5000 parts, limit 500. */
	s = g_string_new("From: a@example.com\n"
	    "Content-Type: multipart/mixed; boundary=p\n\n");
	for (i = 0; i < 5000; i++)
		g_string_append(s, "--p\nContent-Type: image/gif\n\nx\n");
	g_string_append(s, "--p--\n");
	rc = parse_string(s, &lim, &m);
	tap_ok(rc == GW_OK && m != NULL && m->limits_hit,
	    "part bomb: parsed, limits_hit");
	tap_ok(m != NULL && m->attachments->len == 499,
	    "part bomb: 499 attachments kept (got %u)",
	    m != NULL ? m->attachments->len : 0);
	message_free(&m);
	g_string_free(s, TRUE);

	/* 2 million empty parts in 10 MB: the scanner must cut it. */
	s = g_string_new("From: a@example.com\n"
	    "Content-Type: multipart/mixed; boundary=b\n\n");
	for (i = 0; i < 2000000; i++)
		g_string_append(s, "--b\n\n");
	lim.max_size = 64 * MB;
	t0 = g_get_monotonic_time();
	rc = parse_string(s, &lim, &m);
	tap_ok(rc == GW_OK && m != NULL && m->limits_hit,
	    "boundary flood: parsed, limits_hit");
	tap_ok(g_get_monotonic_time() - t0 < 20 * G_USEC_PER_SEC,
	    "boundary flood: bounded time (%.1fs)",
	    (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC);
	message_free(&m);
	g_string_free(s, TRUE);

	/* 2.5 million header fields: the first 10000 kept, and the body. */
	s = g_string_new("From: a@example.com\n");
	for (i = 0; i < 2500000; i++)
		g_string_append(s, "X:y\n");
	g_string_append(s, "\nbody\n");
	t0 = g_get_monotonic_time();
	rc = parse_string(s, &lim, &m);
	tap_ok(rc == GW_OK && m != NULL && !m->limits_hit &&
	    m->fields_skipped == 2500001 - HEADBLOCK_MAX_FIELDS &&
	    m->text != NULL && strcmp(m->text, "body\n") == 0,
	    "header flood: parsed, fields skipped, body kept");
	tap_ok(g_get_monotonic_time() - t0 < 20 * G_USEC_PER_SEC,
	    "header flood: bounded time (%.1fs)",
	    (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC);
	message_free(&m);
	g_string_free(s, TRUE);

	/* A large text body is read only up to the cap. */
	s = g_string_new("From: a@example.com\n\n");
	for (i = 0; i < 200000; i++)
		g_string_append(s, "0123456789012345678901234567890123456789\n");
	lim.max_body = 1000;
	rc = parse_string(s, &lim, &m);
	tap_ok(rc == GW_OK && m != NULL && m->truncated && m->text != NULL &&
	    strlen(m->text) == 1000, "big body: cut at max_body");
	message_free(&m);
	g_string_free(s, TRUE);

	/* Random bytes. */
	s = g_string_new(NULL);
	for (i = 0; i < 100; i++) {
		int j;
		GRand *r = g_rand_new_with_seed((guint32)i);

		g_string_truncate(s, 0);
		for (j = 0; j < 5000; j++)
			g_string_append_c(s, (char)g_rand_int_range(r, 0, 256));
		rc = parse_string(s, &lim, &m);
		g_rand_free(r);
		if (rc == GW_OK) {
			const char *why = "";

			if (!clean_message(m, &why))
				break;
		} else if (rc != GW_EDATA)
			break;
		message_free(&m);
	}
	tap_ok(i == 100, "random bytes: 100 inputs, no surprise (stopped "
	    "at %d)", i);
	message_free(&m);
	g_string_free(s, TRUE);

	/*
	 * Address lists: GMime spends ~25 bytes of memory per byte, so header
	 * fields over 4 MiB in all are refused before it sees them.  One
	 * folded To: list of 5 MiB, then 3 MiB of fields that pass.
	 */
	s = g_string_new("From: a@example.com\nTo: ");
	for (i = 0; s->len < 5 * 1024 * 1024; i++)
		g_string_append_printf(s, "user%d@example.com,\n ", i);
	g_string_append(s, "last@example.com\nSubject: x\n\nhello\n");
	rc = parse_string(s, &lim, &m);
	tap_str(status_name(rc), "ETOOBIG", "5 MiB To: list: refused as too big");
	message_free(&m);
	g_string_truncate(s, 0);
	g_string_append(s, "From: a@example.com\n");
	for (i = 0; s->len < 3 * 1024 * 1024; i++)
		g_string_append_printf(s, "Received: from relay%d.example.net "
		    "(relay%d.example.net [192.0.2.1]) by mx.example.com "
		    "(Postfix) with ESMTPS id 4Xy7Z%d for <support@example.com>;"
		    "\n\tMon, 30 Nov 2026 10:00:00 +0000\n", i, i, i);
	g_string_append(s, "Subject: x\n\nhello\n");
	rc = parse_string(s, &lim, &m);
	tap_ok(rc == GW_OK && m != NULL && m->text != NULL,
	    "3 MiB of header fields: parsed");
	message_free(&m);
	/* The same cap holds for a forward sent in base64, which is
	 * decoded and parsed on its own: it stays an attachment. */
	{
		GString *inner = g_string_new("From: f@example.com\nTo: ");
		char *b64;

		for (i = 0; inner->len < 5 * 1024 * 1024; i++)
			g_string_append_printf(inner, "user%d@example.com,\n ",
			    i);
		g_string_append(inner, "last@example.com\n\ninner\n");
		b64 = g_base64_encode((const guchar *)inner->str, inner->len);
		g_string_printf(s, "From: a@example.com\nContent-Type: "
		    "multipart/mixed; boundary=f\n\n--f\nContent-Type: "
		    "text/plain\n\nsee attached\n--f\nContent-Type: "
		    "message/rfc822\nContent-Transfer-Encoding: base64\n\n"
		    "%s\n--f--\n", b64);
		rc = parse_string(s, &lim, &m);
		tap_ok(rc == GW_OK && m != NULL && m->forwards->len == 0 &&
		    m->attachments->len == 1,
		    "base64 forward with a 5 MiB To: list: not parsed, listed");
		message_free(&m);
		g_free(b64);
		g_string_free(inner, TRUE);
	}
	/* The same bytes as body text are no header: parsed. */
	g_string_truncate(s, 0);
	g_string_append(s, "From: a@example.com\nSubject: x\n\n");
	for (i = 0; s->len < 5 * 1024 * 1024; i++)
		g_string_append_printf(s, "line %d of a long report\n", i);
	rc = parse_string(s, &lim, &m);
	tap_ok(rc == GW_OK && m != NULL, "5 MiB of body lines: parsed");
	message_free(&m);
	g_string_free(s, TRUE);
}

struct writer {
	int fd;
	const char *path;	/* copy this file, or */
	const char *buf;	/* these bytes */
	size_t len;
	uint64_t written;
};

/* writer_main - feed a pipe from a thread, then close it */
static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	char chunk[65536];
	ssize_t n, k;
	size_t off;
	int fd;

	if (w->path != NULL) {
		fd = open(w->path, O_RDONLY);
		while (fd != -1 && (n = read(fd, chunk, sizeof(chunk))) > 0) {
			for (off = 0; off < (size_t)n; off += (size_t)k) {
				k = write(w->fd, chunk + off, (size_t)n - off);
				if (k <= 0)
					goto done;
				w->written += (uint64_t)k;
			}
		}
done:
		if (fd != -1)
			close(fd);
	} else {
		for (off = 0; off < w->len; off += (size_t)k) {
			k = write(w->fd, w->buf + off, w->len - off);
			if (k <= 0)
				break;
			w->written += (uint64_t)k;
		}
	}
	close(w->fd);
	return NULL;
}

/* parse_pipe - parse what a writer thread sends through a pipe */
static enum gw_status
parse_pipe(struct writer *w, const struct message_limits *lim,
    struct message **m_r, struct gw_error *err)
{
	pthread_t th;
	enum gw_status rc;
	int p[2];

	if (pipe(p) == -1)
		return GW_ESOFTWARE;
	w->fd = p[1];
	w->written = 0;
	if (pthread_create(&th, NULL, writer_main, w) != 0) {
		close(p[0]);
		close(p[1]);
		return GW_ESOFTWARE;
	}
	rc = message_parse_fd(p[0], lim, m_r, err);
	close(p[0]);	/* a writer still writing gets EPIPE */
	pthread_join(th, NULL);
	return rc;
}

/* max_rss_kb - peak resident set size so far */
static long
max_rss_kb(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) == -1)
		return 0;
	return ru.ru_maxrss;
}

/* write_big - a message with a 30 MiB base64 attachment, written in
 * small pieces so that the test itself stays small */
static char *
write_big(uint64_t *attach_r)
{
	static const char head[] =
	    "From: big@example.com\n"
	    "Subject: big\n"
	    "Content-Type: multipart/mixed; boundary=big\n"
	    "\n"
	    "--big\n"
	    "Content-Type: text/plain\n"
	    "\n"
	    "see the attachment\n"
	    "--big\n"
	    "Content-Type: application/octet-stream; name=big.bin\n"
	    "Content-Disposition: attachment; filename=big.bin\n"
	    "Content-Transfer-Encoding: base64\n"
	    "\n";
	char *path;
	guchar raw[57 * 64];
	gchar enc[57 * 64 * 2];
	gint state, save;
	gsize n;
	FILE *f;
	int fd, i, j;

	path = g_build_filename(g_get_tmp_dir(), "test_message-XXXXXX", NULL);
	fd = g_mkstemp(path);
	if (fd == -1 || (f = fdopen(fd, "w")) == NULL) {
		g_free(path);
		return NULL;
	}
	fputs(head, f);
	state = save = 0;
	*attach_r = 0;
	for (i = 0; *attach_r < 30 * MB; i++) {
		for (j = 0; j < (int)sizeof(raw); j++)
			raw[j] = (guchar)(i * 31 + j * 7);
		n = g_base64_encode_step(raw, sizeof(raw), TRUE, enc, &state,
		    &save);
		fwrite(enc, 1, n, f);
		*attach_r += sizeof(raw);
	}
	n = g_base64_encode_close(TRUE, enc, &state, &save);
	fwrite(enc, 1, n, f);
	fputs("--big--\n", f);
	if (fclose(f) != 0) {
		unlink(path);
		g_free(path);
		return NULL;
	}
	return path;
}

/* check_big - the parse of the big message is right */
static void
check_big(enum gw_status rc, struct message *m, uint64_t attach,
    const char *how, long rss0, gint64 t0)
{
	const struct message_attachment *a;
	long grew;

	tap_str(status_name(rc), "OK", how);
	if (m == NULL)
		return;
	tap_str(m->text, "see the attachment", how);
	a = m->attachments->len == 1 ?
	    g_ptr_array_index(m->attachments, 0) : NULL;
	tap_ok(a != NULL && a->size == attach, "%s: 30 MiB attachment counted "
	    "(%llu)", how, a != NULL ? (unsigned long long)a->size : 0ULL);
	grew = max_rss_kb() - rss0;
	if (UNDER_ASAN)
		tap_ok(1, "%s: peak RSS grew %ld KB # SKIP not measured "
		    "under ASan", how, grew);
	else
		tap_ok(grew < 16 * 1024, "%s: peak RSS grew %ld KB (< 16 MB)",
		    how, grew);
	tap_ok(g_get_monotonic_time() - t0 < 30 * G_USEC_PER_SEC,
	    "%s: took %.2fs", how,
	    (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC);
}

/* test_big - a 30 MiB attachment from a file and through a pipe, without
 * loading it: runs first, while the peak RSS is still low */
static void
test_big(void)
{
	struct message_limits lim = limits_default;
	struct message *m;
	struct gw_error err;
	struct writer w;
	enum gw_status rc;
	uint64_t attach;
	char *path;
	long rss0;
	gint64 t0;
	int fd;

	path = write_big(&attach);
	if (!tap_ok(path != NULL, "big: test message written"))
		return;
	lim.max_size = 64 * MB;

	rss0 = max_rss_kb();
	t0 = g_get_monotonic_time();
	fd = open(path, O_RDONLY);
	m = NULL;
	rc = message_parse_fd(fd, &lim, &m, &err);
	close(fd);
	check_big(rc, m, attach, "big from a file", rss0, t0);
	message_free(&m);

	rss0 = max_rss_kb();
	t0 = g_get_monotonic_time();
	memset(&w, 0, sizeof(w));
	w.path = path;
	rc = parse_pipe(&w, &lim, &m, &err);
	check_big(rc, m, attach, "big through a pipe", rss0, t0);
	message_free(&m);

	/* Over the cap: refused without reading it all. */
	lim.max_size = 1 * MB;
	memset(&w, 0, sizeof(w));
	w.path = path;
	rc = parse_pipe(&w, &lim, &m, &err);
	tap_str(status_name(rc), "ETOOBIG", "big pipe over the cap");
	tap_ok(strstr(err.text, "1048576-byte") != NULL,
	    "big pipe over the cap: text \"%s\"", err.text);
	tap_ok(w.written < 4 * MB, "big pipe over the cap: stopped reading "
	    "after %llu bytes", (unsigned long long)w.written);
	fd = open(path, O_RDONLY);
	rc = message_parse_fd(fd, &lim, &m, &err);
	close(fd);
	tap_str(status_name(rc), "ETOOBIG", "big file over the cap");
	tap_ok(strstr(err.text, "bytes, over the 1048576-byte") != NULL,
	    "big file over the cap: text \"%s\"", err.text);
	message_free(&m);

	unlink(path);
	g_free(path);
}

/* test_fd - small messages through a pipe, a file and a file at an offset */
static void
test_fd(void)
{
	static const char msg[] = "From: p@example.com\nSubject: piped\n\n"
	    "through a pipe\n";
	struct message *m;
	struct gw_error err;
	struct writer w;
	enum gw_status rc;
	char *path;
	int fd;

	memset(&w, 0, sizeof(w));
	w.buf = msg;
	w.len = sizeof(msg) - 1;
	m = NULL;
	rc = parse_pipe(&w, &limits_default, &m, &err);
	tap_str(status_name(rc), "OK", "pipe: status");
	tap_str(m != NULL ? m->text : NULL, "through a pipe\n", "pipe: text");
	tap_int(m != NULL ? (long long)m->size : -1, (long long)w.len,
	    "pipe: size");
	message_free(&m);

	memset(&w, 0, sizeof(w));
	w.buf = "";
	rc = parse_pipe(&w, &limits_default, &m, &err);
	tap_str(status_name(rc), "EDATA", "empty pipe");

	memset(&w, 0, sizeof(w));
	w.buf = "\n\n  \n";
	w.len = 5;
	rc = parse_pipe(&w, &limits_default, &m, &err);
	tap_str(status_name(rc), "EDATA", "blank pipe");

	path = g_build_filename(g_get_tmp_dir(), "test_message-XXXXXX", NULL);
	fd = g_mkstemp(path);
	tap_ok(fd != -1 && write(fd, "JUNK", 4) == 4 &&
	    write(fd, msg, sizeof(msg) - 1) == (ssize_t)sizeof(msg) - 1,
	    "file: written");
	(void)lseek(fd, 4, SEEK_SET);
	rc = message_parse_fd(fd, &limits_default, &m, &err);
	tap_str(status_name(rc), "OK", "file at an offset: status");
	tap_str(m != NULL ? m->subject : NULL, "piped",
	    "file at an offset: subject");
	tap_int(m != NULL ? (long long)m->size : -1,
	    (long long)sizeof(msg) - 1, "file at an offset: size");
	message_free(&m);
	tap_ok(lseek(fd, 0, SEEK_CUR) != -1, "file: caller's fd still open");
	(void)lseek(fd, 0, SEEK_END);
	rc = message_parse_fd(fd, &limits_default, &m, &err);
	tap_str(status_name(rc), "EDATA", "file at its end: empty");
	close(fd);
	unlink(path);
	g_free(path);

	/* A descriptor that cannot be read: a temporary failure. */
	rc = message_parse_fd(-1, &limits_default, &m, &err);
	tap_str(status_name(rc), "ETEMP", "bad fd: ETEMP");
}

/* test_charsets - gmime's charset samples as bodies in their charsets */
static void
test_charsets(const char *corpus)
{
	static const struct {
		const char *file;
		const char *charset;
		const char *want;
	} rows[] = {
		{ "cyrillic.cp1251.txt", "windows-1251", "cyrillic.utf-8.txt" },
		{ "cyrillic.iso-8859-5.txt", "iso-8859-5",
		    "cyrillic.utf-8.txt" },
		{ "cyrillic.koi8-r.txt", "koi8-r", "cyrillic.utf-8.txt" },
		{ "japanese.iso-2022-jp.txt", "iso-2022-jp",
		    "japanese.utf-8.txt" },
		{ "japanese.shift-jis.txt", "shift_jis", "japanese.utf-8.txt" },
		{ "chinese.big5.txt", "big5", NULL },
	};
	struct message *m;
	struct gw_error err;
	char *dir, *path, *raw, *want, *b64, *msg;
	gsize rawlen, wantlen;
	size_t i;

	dir = g_build_filename(corpus, "gmime", "charset-samples", NULL);
	for (i = 0; i < G_N_ELEMENTS(rows); i++) {
		path = g_build_filename(dir, rows[i].file, NULL);
		raw = want = NULL;
		if (!g_file_get_contents(path, &raw, &rawlen, NULL)) {
			tap_ok(1, "charset %s # SKIP no sample", rows[i].file);
			g_free(path);
			continue;
		}
		g_free(path);
		b64 = g_base64_encode((const guchar *)raw, rawlen);
		msg = g_strdup_printf("From: c@example.com\n"
		    "Content-Type: text/plain; charset=\"%s\"\n"
		    "Content-Transfer-Encoding: base64\n\n%s\n",
		    rows[i].charset, b64);
		m = NULL;
		(void)message_parse_mem(msg, strlen(msg), &limits_default, &m,
		    &err);
		if (rows[i].want != NULL) {
			path = g_build_filename(dir, rows[i].want, NULL);
			(void)g_file_get_contents(path, &want, &wantlen, NULL);
			g_free(path);
			tap_ok(m != NULL && want != NULL && m->text != NULL &&
			    strcmp(m->text, want) == 0, "charset %s",
			    rows[i].file);
		} else
			tap_ok(m != NULL && m->text != NULL &&
			    strstr(m->text, "\xef\xbf\xbd") == NULL &&
			    g_utf8_strlen(m->text, -1) > 300,
			    "charset %s: no replacement character",
			    rows[i].file);
		message_free(&m);
		g_free(want);
		g_free(msg);
		g_free(b64);
		g_free(raw);
	}
	g_free(dir);
}

/* is_skipped - corpus files that are not messages */
static bool
is_skipped(const char *name)
{
	return g_str_has_prefix(name, "LICENSE") ||
	    g_str_has_prefix(name, "COPYING") ||
	    g_str_has_prefix(name, "MANIFEST") ||
	    g_str_has_prefix(name, "README") ||
	    g_str_has_prefix(name, "EXPECTED") ||
	    g_str_has_suffix(name, ".json") ||
	    g_str_has_suffix(name, ".jsonl") ||
	    g_str_has_suffix(name, ".md");
}

/* cmp_path - g_ptr_array_sort() order of strings */
static gint
cmp_path(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* corpus_dir - parse every file of one folder; one test point; recurse */
static void
corpus_dir(const char *path, const char *rel)
{
	struct message_limits lim = limits_default;
	GPtrArray *subdirs;
	struct message *m;
	struct gw_error err;
	enum gw_status rc;
	const char *name, *why;
	char *file, *buf;
	GDir *dir;
	gsize len;
	int files, ok, edata, bad;
	guint i;

	dir = g_dir_open(path, 0, NULL);
	if (dir == NULL)
		return;
	subdirs = g_ptr_array_new_with_free_func(g_free);
	files = ok = edata = bad = 0;
	lim.max_size = 32 * MB;
	while ((name = g_dir_read_name(dir)) != NULL) {
		file = g_build_filename(path, name, NULL);
		if (g_file_test(file, G_FILE_TEST_IS_DIR)) {
			g_ptr_array_add(subdirs, file);
			continue;
		}
		if (is_skipped(name) ||
		    !g_file_get_contents(file, &buf, &len, NULL)) {
			g_free(file);
			continue;
		}
		files++;
		m = NULL;
		rc = message_parse_mem(buf, len, &lim, &m, &err);
		why = "";
		if (rc == GW_OK && clean_message(m, &why))
			ok++;
		else if (rc == GW_EDATA)
			edata++;
		else {
			bad++;
			printf("#   %s: %s %s %s\n", file, status_name(rc),
			    err.text, why);
		}
		message_free(&m);
		g_free(buf);
		g_free(file);
	}
	g_dir_close(dir);
	if (files > 0)
		tap_ok(bad == 0, "corpus %s: %d files, %d parsed, %d EDATA",
		    rel, files, ok, edata);
	g_ptr_array_sort(subdirs, cmp_path);
	for (i = 0; i < subdirs->len; i++) {
		const char *sub = g_ptr_array_index(subdirs, i);
		char *subrel = g_build_filename(rel,
		    sub + strlen(path) + 1, NULL);

		corpus_dir(sub, subrel);
		g_free(subrel);
	}
	g_ptr_array_unref(subdirs);
}

/*
 * The sender policy reads every From address and every
 * Authentication-Results field of the top-level header, nothing of a
 * forwarded message's.
 */
static const struct sender_case {
	const char *name;
	const char *raw;
	const char *from;	/* the addresses joined by " | " */
	const char *authres;	/* the fields joined by " | " */
} sender_cases[] = {
	{ .name = "one address",
	    .raw = "From: Alice <alice@example.com>\nSubject: x\n\nhi\n",
	    .from = "alice@example.com", .authres = "" },
	{ .name = "two addresses in one field",
	    .raw = "From: a@example.com, b@evil.test\nSubject: x\n\nhi\n",
	    .from = "a@example.com | b@evil.test", .authres = "" },
	{ .name = "two From fields both count",
	    .raw = "From: a@example.com\nFrom: b@evil.test\nSubject: x\n\n"
	    "hi\n",
	    .from = "a@example.com | b@evil.test", .authres = "" },
	{ .name = "a group's members",
	    .raw = "From: team: a@example.com, c@example.com;\n\nhi\n",
	    .from = "a@example.com | c@example.com", .authres = "" },
	{ .name = "no address",
	    .raw = "From: just a name\nSubject: x\n\nhi\n",
	    .from = "", .authres = "" },
	{ .name = "no From at all",
	    .raw = "Subject: x\n\nhi\n", .from = "", .authres = "" },
	{ .name = "folded Authentication-Results, in order",
	    .raw = "Authentication-Results: mx.example.com;\n"
	    "\tdkim=pass header.d=example.com\n"
	    "Authentication-Results: other.test; dmarc=pass\n"
	    "From: a@example.com\n\nhi\n",
	    .from = "a@example.com",
	    .authres = "mx.example.com; dkim=pass header.d=example.com | "
	    "other.test; dmarc=pass" },
	{ .name = "a forwarded message's fields do not count",
	    .raw = "From: a@example.com\nMIME-Version: 1.0\n"
	    "Content-Type: message/rfc822\n\n"
	    "Authentication-Results: mx.example.com; dkim=pass\n"
	    "From: boss@example.com\n\ninner\n",
	    .from = "a@example.com", .authres = "" },
};

/* joined - a NULL-terminated list joined by " | " (new) */
static char *
joined(char **list)
{
	return g_strjoinv(" | ", list);
}

/* test_senders - from_addrs and auth_results */
static void
test_senders(void)
{
	struct message *m;
	struct gw_error err;
	char *got;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(sender_cases); i++) {
		const struct sender_case *t = &sender_cases[i];

		m = NULL;
		if (!tap_ok(message_parse_mem(t->raw, strlen(t->raw),
		    &limits_default, &m, &err) == GW_OK, "%s: parses",
		    t->name))
			continue;
		got = joined(m->from_addrs);
		tap_str(got, t->from, t->name);
		g_free(got);
		got = joined(m->auth_results);
		tap_str(got, t->authres, t->name);
		g_free(got);
		message_free(&m);
	}
}

int
main(void)
{
	const char *corpus;
	size_t i;

	signal(SIGPIPE, SIG_IGN);
	message_init();
	test_big();
	for (i = 0; i < G_N_ELEMENTS(cases); i++)
		run_case(&cases[i]);
	test_automatic();
	test_senders();
	test_fd();
	test_bombs();

	corpus = getenv("M2N_CORPUS");
	if (corpus == NULL)
		corpus = "tests/corpus";
	if (g_file_test(corpus, G_FILE_TEST_IS_DIR)) {
		test_charsets(corpus);
		corpus_dir(corpus, ".");
	} else
		tap_ok(0, "corpus: %s not found", corpus);
	message_shutdown();
	return tap_done();
}
