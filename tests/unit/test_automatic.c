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
		.name = "X-Apple-Action: VACATION (iCloud, no Auto-Submitted)",
		.h = { .x_apple_action = "VACATION", .from_addr =
		    "ana@icloud.com", .subject = "Auto reply: Printer" },
		.want = "X-Apple-Action: vacation",
	},
	{
		.name = "X-Apple-Action of another kind, person's subject",
		.h = { .x_apple_action = "FORWARD", .from_addr =
		    "ana@icloud.com", .subject = "Printer" },
	},
	{
		.name = "X-Apple-Action of another kind, Auto reply: subject",
		.h = { .x_apple_action = "other", .subject = "Auto reply: x" },
		.want = "out-of-office subject and X-Apple-Action",
	},
	{
		.name = "Outlook Automatic reply with X-Auto-Response-Suppress",
		.h = { .x_auto_response_suppress = "All", .from_addr =
		    "bob@example.com", .subject = "Automatic reply: Printer" },
		.want = "out-of-office subject and X-Auto-Response-Suppress",
	},
	{
		.name = "German Abwesenheitsnotiz with X-Auto-Response-Suppress",
		.h = { .x_auto_response_suppress = "DR, RN, NRN, OOF, AutoReply",
		    .subject = "Abwesenheitsnotiz: Drucker" },
		.want = "out-of-office subject and X-Auto-Response-Suppress",
	},
	{
		.name = "Out of Office AutoReply with Precedence: auto_reply",
		.h = { .precedence = "auto_reply",
		    .subject = "Out of Office AutoReply: Printer" },
		.want = "out-of-office subject and Precedence",
	},
	{
		.name = "Out of office alone ends the subject, X-Autogenerated",
		.h = { .x_autogenerated = "Reply", .subject = "Out of Office" },
		.want = "out-of-office subject and X-Autogenerated",
	},
	{
		.name = "French, no-reply sender",
		.h = { .from_addr = "no-reply@example.fr",
		    .subject = "Réponse automatique : Imprimante" },
		.want = "out-of-office subject from a no-reply sender",
	},
	{
		.name = "French in capitals (UTF-8 caseless)",
		.h = { .x_auto_response_suppress = "All",
		    .subject = "RÉPONSE AUTOMATIQUE : Imprimante" },
		.want = "out-of-office subject and X-Auto-Response-Suppress",
	},
	{
		.name = "Spanish",
		.h = { .x_auto_response_suppress = "All",
		    .subject = "Respuesta automática: Impresora" },
		.want = "out-of-office subject and X-Auto-Response-Suppress",
	},
	{
		.name = "Italian",
		.h = { .x_auto_response_suppress = "All",
		    .subject = "Risposta automatica: Stampante" },
		.want = "out-of-office subject and X-Auto-Response-Suppress",
	},
	{
		.name = "Dutch",
		.h = { .x_auto_response_suppress = "All",
		    .subject = "Automatisch antwoord: Printer" },
		.want = "out-of-office subject and X-Auto-Response-Suppress",
	},
	{
		.name = "Portuguese",
		.h = { .x_auto_response_suppress = "All",
		    .subject = "Resposta automática: Impressora" },
		.want = "out-of-office subject and X-Auto-Response-Suppress",
	},
	{
		.name = "Swedish",
		.h = { .x_auto_response_suppress = "All",
		    .subject = "Automatiskt svar: Skrivare" },
		.want = "out-of-office subject and X-Auto-Response-Suppress",
	},
	{
		.name = "Polish",
		.h = { .x_auto_response_suppress = "All",
		    .subject = "Odpowiedź automatyczna: Drukarka" },
		.want = "out-of-office subject and X-Auto-Response-Suppress",
	},
	{
		.name = "Russian",
		.h = { .x_auto_response_suppress = "All",
		    .subject = "Автоматический ответ: Принтер" },
		.want = "out-of-office subject and X-Auto-Response-Suppress",
	},
	{
		.name = "Japanese",
		.h = { .x_auto_response_suppress = "All",
		    .subject = "自動応答: プリンター" },
		.want = "out-of-office subject and X-Auto-Response-Suppress",
	},
	{
		.name = "Chinese, full-width colon",
		.h = { .x_auto_response_suppress = "All",
		    .subject = "自动回复：打印机" },
		.want = "out-of-office subject and X-Auto-Response-Suppress",
	},
	{
		.name = "Korean",
		.h = { .x_auto_response_suppress = "All",
		    .subject = "자동 회신: 프린터" },
		.want = "out-of-office subject and X-Auto-Response-Suppress",
	},
	{
		.name = "out-of-office subject alone is a person's",
		.h = { .from_addr = "bob@example.com",
		    .subject = "Automatic reply: Printer" },
	},
	{
		.name = "a person's Fwd: Out of office, even with a hint",
		.h = { .x_auto_response_suppress = "All", .from_addr =
		    "bob@example.com", .subject = "Fwd: Out of office" },
	},
	{
		.name = "Re: Automatic reply settings question",
		.h = { .x_auto_response_suppress = "All",
		    .subject = "Re: Automatic reply settings question" },
	},
	{
		.name = "Automatic reply settings question (no colon)",
		.h = { .x_auto_response_suppress = "All",
		    .subject = "Automatic reply settings question" },
	},
	{
		.name = "Outlook.com JMRP complaint from staff@",
		.h = { .content_type = "multipart/mixed",
		    .encloses_message = true,
		    .from_addr = "staff@hotmail.com",
		    .subject = "complaint about message from 192.0.2.1" },
		.want = "abuse complaint (a mail enclosed, from an abuse desk)",
	},
	{
		.name = "abuse@ desk enclosing the mail",
		.h = { .content_type = "multipart/mixed",
		    .encloses_message = true,
		    .from_addr = "abuse@isp.example", .subject = "Spam" },
		.want = "abuse complaint (a mail enclosed, from an abuse desk)",
	},
	{
		.name = "Abuse report subject enclosing the mail",
		.h = { .content_type = "multipart/mixed",
		    .encloses_message = true,
		    .from_addr = "noc@isp.example",
		    .subject = "[ISP] Abuse report for 192.0.2.1" },
		.want = "abuse complaint (a mail enclosed, subject)",
	},
	{
		.name = "no-reply enclosing a mail (KDDI's bounce)",
		.h = { .content_type = "multipart/mixed",
		    .encloses_message = true,
		    .from_addr = "no-reply@mx.example.jp",
		    .subject = "\xe3\x83\xa1\xe3\x83\xbc\xe3\x83\xab" },
		.want = "report enclosing a mail, from a no-reply sender",
	},
	{
		.name = "no-reply without an enclosed mail is not a report",
		.h = { .content_type = "multipart/mixed",
		    .from_addr = "no-reply@example.com",
		    .subject = "Your invoice" },
	},
	{
		.name = "a person's mail with an attached .eml",
		.h = { .content_type = "multipart/mixed",
		    .encloses_message = true,
		    .from_addr = "alice@example.com",
		    .subject = "Fwd: phishing, see attached" },
	},
	{
		.name = "a person asking about an abuse report, .eml attached",
		.h = { .content_type = "multipart/mixed",
		    .encloses_message = true,
		    .from_addr = "alice@example.com",
		    .subject = "Re: Abuse report for 192.0.2.1" },
	},
	{
		.name = "staff@ without an enclosed mail is a person",
		.h = { .content_type = "multipart/mixed",
		    .from_addr = "staff@example.com",
		    .subject = "complaint about message from 192.0.2.1" },
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
