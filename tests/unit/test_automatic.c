/*
 * test_automatic.c - unit tests for the automatic module (TAP): which
 * header values and envelope senders make a mail an auto-reply, a bounce
 * or a loop, and the reason given.
 */
#include <stdio.h>

#include <glib.h>

#include "automatic.h"
#include "tap.h"

static const struct {
	const char *name;
	struct automatic_header h;
	const char *want;	/* NULL: not automatic */
} header_cases[] = {
	{
		.name = "a person's mail",
		.h = { .content_type = "text/plain", .from = "Alice "
		    "<alice@example.com>", .from_addr = "alice@example.com",
		    .subject = "Printer on fire" },
	},
	{
		.name = "nothing at all",
		.h = { 0 },
	},
	{
		.name = "multipart/report",
		.h = { .content_type = "multipart/report" },
		.want = "multipart/report (delivery or read report)",
	},
	{
		.name = "multipart/report in capitals, before all else",
		.h = { .content_type = "Multipart/REPORT",
		    .auto_submitted = "auto-replied" },
		.want = "multipart/report (delivery or read report)",
	},
	{
		.name = "multipart/mixed is not a report",
		.h = { .content_type = "multipart/mixed" },
	},
	{
		.name = "Auto-Submitted: auto-replied",
		.h = { .auto_submitted = " auto-replied (vacation)" },
		.want = "Auto-Submitted: auto-replied",
	},
	{
		.name = "Auto-Submitted: auto-generated",
		.h = { .auto_submitted = "Auto-Generated" },
		.want = "Auto-Submitted: auto-generated",
	},
	{
		.name = "Auto-Submitted: auto-notified; params",
		.h = { .auto_submitted = "auto-notified; owner-email=x@y" },
		.want = "Auto-Submitted: auto-notified",
	},
	{
		.name = "Auto-Submitted: no",
		.h = { .auto_submitted = "no" },
	},
	{
		.name = "Auto-Submitted: no (comment)",
		.h = { .auto_submitted = "\tNo (a person)" },
	},
	{
		.name = "Auto-Submitted: empty",
		.h = { .auto_submitted = "  " },
	},
	{
		/* RFC 3834: any keyword but "no" is automatic. */
		.name = "Auto-Submitted: unknown keyword",
		.h = { .auto_submitted = "auto-something" },
		.want = "Auto-Submitted (not \"no\")",
	},
	{
		.name = "Auto-Submitted: nobody is not no",
		.h = { .auto_submitted = "nobody" },
		.want = "Auto-Submitted (not \"no\")",
	},
	{
		.name = "Precedence: bulk",
		.h = { .precedence = "bulk" },
		.want = "Precedence: bulk",
	},
	{
		.name = "Precedence: Junk",
		.h = { .precedence = " Junk" },
		.want = "Precedence: junk",
	},
	{
		.name = "Precedence: list",
		.h = { .precedence = "list (mailman)" },
		.want = "Precedence: list",
	},
	{
		.name = "Precedence: first-class",
		.h = { .precedence = "first-class" },
	},
	{
		.name = "Precedence: bulky is not bulk",
		.h = { .precedence = "bulky" },
	},
	{
		.name = "X-Autoreply, even empty",
		.h = { .x_autoreply = "" },
		.want = "X-Autoreply header",
	},
	{
		.name = "X-Autorespond",
		.h = { .x_autorespond = "yes" },
		.want = "X-Autorespond header",
	},
	{
		.name = "From address MAILER-DAEMON",
		.h = { .from_addr = "MAILER-DAEMON@mx.example.com" },
		.want = "From: MAILER-DAEMON",
	},
	{
		.name = "From address mailer-daemon without a domain",
		.h = { .from_addr = "<mailer-daemon>" },
		.want = "From: MAILER-DAEMON",
	},
	{
		.name = "From display MAILER-DAEMON <>",
		.h = { .from = " \"MAILER-DAEMON\" <>" },
		.want = "From: MAILER-DAEMON",
	},
	{
		.name = "From address mailer-daemonx",
		.h = { .from_addr = "mailer-daemonx@example.com" },
	},
	{
		.name = "Return-Path: <>",
		.h = { .return_path = " <>" },
		.want = "Return-Path: <> (bounce)",
	},
	{
		.name = "Return-Path: MAILER-DAEMON",
		.h = { .return_path = "<MAILER-DAEMON@mx.example.com>" },
		.want = "Return-Path: <> (bounce)",
	},
	{
		.name = "Return-Path of a person",
		.h = { .return_path = "<bob@example.com>" },
	},
	{
		.name = "X-Failed-Recipients",
		.h = { .x_failed_recipients = "bob@example.com" },
		.want = "X-Failed-Recipients header (bounce)",
	},
	{
		.name = "postmaster, Undeliverable",
		.h = { .from_addr = "postmaster@example.com",
		    .subject = "Undeliverable: hello" },
		.want = "bounce from postmaster",
	},
	{
		.name = "mail-daemon, [tag] Delivery Status Notification",
		.h = { .from_addr = "Mail-Daemon@example.com",
		    .subject = " [SPAM] Delivery Status Notification (Failure)" },
		.want = "bounce from postmaster",
	},
	{
		.name = "postmaster, failure notice",
		.h = { .from_addr = "post_master@example.com",
		    .subject = "failure notice" },
		.want = "bounce from postmaster",
	},
	{
		.name = "postmaster forwarding a bounce is a person",
		.h = { .from_addr = "postmaster@example.com",
		    .subject = "Fwd: Undeliverable: hello" },
	},
	{
		.name = "postmaster with another subject",
		.h = { .from_addr = "postmaster@example.com",
		    .subject = "Your mailbox quota" },
	},
	{
		.name = "postmaster without a subject",
		.h = { .from_addr = "postmaster@example.com" },
	},
	{
		.name = "a person's Undeliverable subject",
		.h = { .from_addr = "alice@example.com",
		    .subject = "Undeliverable: hello" },
	},
	{
		.name = "order: Auto-Submitted before Precedence",
		.h = { .auto_submitted = "auto-replied",
		    .precedence = "bulk" },
		.want = "Auto-Submitted: auto-replied",
	},
	{
		.name = "order: Precedence before X-Autoreply",
		.h = { .precedence = "junk", .x_autoreply = "yes" },
		.want = "Precedence: junk",
	},
	{
		.name = "order: From address before Return-Path",
		.h = { .from_addr = "mailer-daemon@x", .return_path = "<>" },
		.want = "From: MAILER-DAEMON",
	},
};

static const struct {
	const char *sender;	/* NULL: not given */
	const char *want;
} envelope_cases[] = {
	{ NULL, NULL },
	{ "", "null envelope sender" },
	{ "<>", "null envelope sender" },
	{ " \t<>", "null envelope sender" },
	{ "  ", "null envelope sender" },
	{ "MAILER-DAEMON", "envelope sender MAILER-DAEMON" },
	{ "<mailer-daemon@mx.example.com>", "envelope sender MAILER-DAEMON" },
	{ "alice@example.com", NULL },
	{ "<alice@example.com>", NULL },
	{ "postmaster@example.com", NULL },
	{ "< >", NULL },
};

int
main(void)
{
	char label[128];
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(header_cases); i++)
		tap_str(automatic_header(&header_cases[i].h),
		    header_cases[i].want, header_cases[i].name);
	for (i = 0; i < G_N_ELEMENTS(envelope_cases); i++) {
		(void)snprintf(label, sizeof(label), "envelope sender %s",
		    envelope_cases[i].sender != NULL ?
		    envelope_cases[i].sender : "(not given)");
		tap_str(automatic_envelope(envelope_cases[i].sender),
		    envelope_cases[i].want, label);
	}
	return tap_done();
}
