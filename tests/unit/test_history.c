/*
 * test_history.c - the quoted-history detector (gateway/history.c) and its
 * HTML reader (html_split_history, gateway/html_hist.c): one case per kind
 * of start, language and trap, then the reply parsers' own answers
 * (tests/corpus/{crisp-email-reply-parser,github-email_reply_parser}/
 * EXPECTED.json): every fixture with an exact expected reply must split
 * where that reply ends.  The few where the two upstream suites disagree
 * with each other or with our rules are TODO points, listed below with
 * the reason.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <json-c/json.h>

#include "history.h"
#include "html.h"
#include "tap.h"

struct text_case {
	const char *name;
	const char *in;
	bool forward;		/* the subject says it is a forward */
	const char *want;	/* the new text; NULL: no split */
	const char *after;	/* new text after the history; NULL: none */
};

static const struct text_case text_cases[] = {
	{ .name = "no history", .in = "Hello,\nplease reset it.\nBob",
	    .want = NULL },
	{ .name = "English attribution and > quote",
	    .in = "Thanks!\n\nOn Mon, Jan 6, 2025 at 9:00 AM Ann <a@b.c> "
	    "wrote:\n> old\n", .want = "Thanks!\n\n" },
	{ .name = "wrapped Gmail attribution",
	    .in = "Yes.\n\nOn Mon, Aug 26, 2019 at 4:37 PM The Engine <\n"
	    "x@y.example> wrote:\n\n> q\n", .want = "Yes.\n\n" },
	{ .name = "German",
	    .in = "Danke.\n\nAm 06.01.2025 um 09:00 schrieb Ann <a@b.c>:\n"
	    "> alt\n", .want = "Danke.\n\n" },
	{ .name = "French, space before the colon",
	    .in = "Merci.\n\nLe lun. 6 janv. 2025 à 09:00, Ann <a@b.c> a "
	    "écrit :\n> ancien\n", .want = "Merci.\n\n" },
	{ .name = "Spanish",
	    .in = "Gracias.\n\nEl lun, 6 ene 2025 a las 9:00, Ann "
	    "(<a@b.c>) escribió:\n> viejo\n", .want = "Gracias.\n\n" },
	{ .name = "Italian",
	    .in = "Grazie.\n\nIl giorno lun 6 gen 2025 alle ore 09:00 Ann "
	    "<a@b.c> ha scritto:\n> vecchio\n", .want = "Grazie.\n\n" },
	{ .name = "Dutch",
	    .in = "Dank.\n\nOp ma 6 jan. 2025 om 09:00 schreef Ann "
	    "<a@b.c>:\n> oud\n", .want = "Dank.\n\n" },
	{ .name = "Portuguese",
	    .in = "Obrigado.\n\nEm seg., 6 de jan. de 2025 às 09:00, Ann "
	    "<a@b.c> escreveu:\n> velho\n", .want = "Obrigado.\n\n" },
	{ .name = "Swedish",
	    .in = "Tack.\n\nDen mån 6 jan. 2025 kl 09:00 skrev Ann "
	    "<a@b.c>:\n> gammal\n", .want = "Tack.\n\n" },
	{ .name = "Polish",
	    .in = "Dzięki.\n\nW dniu 6.01.2025 o 09:00, Ann <a@b.c> "
	    "napisał:\n> stary\n", .want = "Dzięki.\n\n" },
	{ .name = "Russian, date and address only",
	    .in = "Спасибо.\n\nпн, 6 янв. 2025 г. в 09:00, Ann <a@b.c>:\n"
	    "> старое\n", .want = "Спасибо.\n\n" },
	{ .name = "Japanese",
	    .in = "ありがとう。\n\n2025年1月6日(月) 9:00 Ann <a@b.c>:\n"
	    "> 古い\n", .want = "ありがとう。\n\n" },
	{ .name = "Chinese",
	    .in = "谢谢。\n\n在 2025年1月6日，Ann <a@b.c> 写道：\n> 旧\n",
	    .want = "谢谢。\n\n" },
	{ .name = "Norwegian, the verb inside, no address",
	    .in = "Takk.\n\nDen 15. jun. 2016 kl. 20.42 skrev Jeff Atwood:\n"
	    "> x\n", .want = "Takk.\n\n" },
	{ .name = "German, name first: 'X schrieb am ...:'",
	    .in = "Gut.\n\nMax <m@x.de> schrieb am Fr., 28. Apr. 2017 um "
	    "11:53 Uhr:\n> x\n", .want = "Gut.\n\n" },
	{ .name = "a list's 'X via List wrote:'",
	    .in = "+1\n\ncodinghorror via Discourse Meta wrote:\n> x\n",
	    .want = "+1\n\n" },
	{ .name = "ISO date without a colon, above the quote only",
	    .in = "Ja.\n\n2016-03-03 17:21 GMT+01:00 Some One\n> x\n",
	    .want = "Ja.\n\n" },
	{ .name = "Korean",
	    .in = "감사합니다.\n\n2025년 1월 6일 (월) 오전 9:00, Ann <a@b.c>님이 "
	    "작성:\n> x\n", .want = "감사합니다.\n\n" },
	{ .name = "QQ Mail original message with no-break spaces",
	    .in = "好的\n\n------------------\xc2\xa0原始邮件\xc2\xa0"
	    "------------------\n发件人: Ann\n", .want = "好的\n\n" },
	{ .name = "Spanish Outlook block",
	    .in = "Listo.\n\nDe: Ann <a@b.c>\nEnviado el: lunes, 6 de enero "
	    "de 2025 9:00\nPara: Bob\nAsunto: RE: x\n\nviejo\n",
	    .want = "Listo.\n\n" },
	{ .name = "Sent from my Samsung Galaxy smartphone.",
	    .in = "Yes\n\nSent from my Samsung Galaxy smartphone.\n\n"
	    "-------- Original message --------\nFrom: Ann\n",
	    .want = "Yes\n\n" },
	{ .name = "'As I wrote on 3 March, the steps are:' is text",
	    .in = "Hi,\n\nAs I wrote on 3 March 2025, the steps are:\n\n"
	    "1. reboot\n2. retry\n", .want = NULL },
	{ .name = "a line with a date and an address is not history",
	    .in = "Call me at 10:30, <bob@b.c>\nThanks\n", .want = NULL },
	{ .name = "Outlook header block, unquoted history",
	    .in = "Done.\n\nFrom: Ann <a@b.c>\nSent: Monday, January 6, "
	    "2025 9:00 AM\nTo: Bob <b@b.c>\nSubject: RE: x\n\nold text\n",
	    .want = "Done.\n\n" },
	{ .name = "Outlook block under a rule",
	    .in = "Done.\n________________________________\nVon: Ann "
	    "<a@b.c>\nGesendet: Montag, 6. Januar 2025 09:00\nAn: Bob\n"
	    "Betreff: AW: x\n\nalt\n", .want = "Done.\n" },
	{ .name = "Original Message",
	    .in = "Fine.\n\n-----Original Message-----\nFrom: a@b.c\n"
	    "old\n", .want = "Fine.\n\n" },
	{ .name = "Sent from my iPhone before the history",
	    .in = "OK\n\nSent from my iPhone\n\nOn 6 Jan 2025, at 09:00, "
	    "Ann <a@b.c> wrote:\n\n> x\n", .want = "OK\n\n" },
	{ .name = "signature set apart with the history",
	    .in = "See below.\n\n-- \nBob\nACME\n\nOn Mon, Ann <a@b.c> "
	    "wrote:\n> x\n", .want = "See below.\n\n" },
	{ .name = "a sentence starting 'Sent from my' is text",
	    .in = "Sent from my desk, is much easier.\n\nBob",
	    .want = NULL },
	{ .name = "'On ...' without wrote: is text",
	    .in = "On a separate note, it works.\n\nOn Monday we meet:\n"
	    "- agenda\n", .want = NULL },
	{ .name = "bottom-posted reply: the quote is history, the answer "
	    "below it new text",
	    .in = "On Mon, Ann <a@b.c> wrote:\n> question?\n\nAnswer.\n",
	    .want = "", .after = "Answer.\n" },
	{ .name = "a quote in the middle: the text on both sides is new",
	    .in = "Test reply\n\nOn 04/19/2011 07:10 AM, Roman wrote:\n\n>\n"
	    "> Test\n\nRegards, Roman\n", .want = "Test reply\n\n",
	    .after = "Regards, Roman\n" },
	{ .name = "inline reply: quotes answered in between stay new text",
	    .in = "On Mon, Ann <a@b.c> wrote:\n> question?\n\nAnswer.\n\n"
	    "> second?\n\nYes.\n", .want = NULL },
	{ .name = "a quoted line without attribution in the middle is text",
	    .in = "The log says:\n> Error 42\nWhat now?\n", .want = NULL },
	{ .name = "inline forward is content",
	    .in = "FYI\n\n---------- Forwarded message ---------\nFrom: Ann "
	    "<a@b.c>\nDate: Mon, 6 Jan 2025\nSubject: x\nTo: Bob\n\nbody\n",
	    .want = NULL },
	{ .name = "Apple forward is content",
	    .in = "FYI\n\nBegin forwarded message:\n\n> From: Ann <a@b.c>\n"
	    "> Subject: x\n> body\n", .want = NULL },
	{ .name = "a forward subject: a header block is the forward",
	    .in = "Please look.\n\nFrom: Ann <a@b.c>\nTo: Bob\nDate: Mon\n"
	    "Subject: x\n\nbody\n", .forward = true, .want = NULL },
	{ .name = "a rule inside the new text is not a footer",
	    .in = "Hello,\n\nFirst part.\n\n__________\n\nSecond part.\n\n"
	    "Best regards,\nAnn\n\nOn July 28, 2026, Ann wrote:\n> old\n",
	    .want = "Hello,\n\nFirst part.\n\n__________\n\nSecond part.\n\n"
	    "Best regards,\nAnn\n\n" },
	{ .name = "a list footer under a rule",
	    .in = "Answer.\n\n_______________\nusers mailing list\n"
	    "users@lists.example\n", .want = "Answer.\n\n" },
	{ .name = "four dashes are markdown, not a rule",
	    .in = "Points:\n\n----\n\nMore text here.\n", .want = NULL },
	{ .name = "an attribution with nothing below (Zimbra, '- Le ...')",
	    .in = "Bonjour,\n\nLe paragraphe qui pose problème.\n\n- Le "
	    "2021-04-09 23:25, Test a écrit :\n",
	    .want = "Bonjour,\n\nLe paragraphe qui pose problème.\n\n" },
	{ .name = "Windows 10 Mail: Sent from Mail, then a header block",
	    .in = "Great, thanks.\nBraxton\n\nSent from Mail for Windows 10\n"
	    "\nFrom: Bort\nSent: April 9, 2020 2:02 PM\nTo: b@c.com\n"
	    "Subject: Re: x\n\nold\n", .want = "Great, thanks.\nBraxton\n\n" },
	{ .name = "history alone: the new text is empty",
	    .in = "On Mon, Ann <a@b.c> wrote:\n> x\n", .want = "" },
	/* Traps for the filters run before the patterns (hist_opens(),
	 * hist_ends(), hist_span_may()): non-ASCII letters that match ASCII
	 * without case, Unicode spaces, full-width colons. */
	{ .name = "filter trap: LONG S opening Sent from my iPhone",
	    .in = "Thanks.\n\n\xc5\xbf" "ent from my iPhone\n",
	    .want = "Thanks.\n\n" },
	{ .name = "filter trap: U+3000 before Sent from my iPhone",
	    .in = "Thanks.\n\n\xe3\x80\x80Sent from my iPhone\n",
	    .want = "Thanks.\n\n" },
	{ .name = "filter trap: KELVIN SIGN opening kirjoitti",
	    .in = "Thanks.\n\n"
	    "On Mon, 6 Jan 2025 Ann <a@b.c> \xe2\x84\xaairjoitti:\n"
	    "old\n",
	    .want = "Thanks.\n\n" },
	{ .name = "filter trap: U+3000 before the colon",
	    .in = "Thanks.\n\n"
	    "On Mon, 6 Jan 2025 Ann wrote\xe3\x80\x80:\n"
	    "old\n",
	    .want = "Thanks.\n\n" },
	{ .name = "filter trap: LONG S, then an attribution",
	    .in = "Thanks.\n\n"
	    "\xc5\xbf" "ent from my iPhone\n"
	    "\n"
	    "On Mon, Jan 6, 2025 Ann <a@b.c> wrote:\n"
	    "> q\n",
	    .want = "Thanks.\n\n" },
	{ .name = "filter trap: full-width colon, upper case",
	    .in = "Thanks.\n\n"
	    "On Mon, Jan 6, 2025 at 9:00 AM Ann <a@b.c> "
	    "WROTE\xef\xbc\x9a\n"
	    "> q\n",
	    .want = "Thanks.\n\n" },
	{ .name = "filter trap: U+00A0 in and after an attribution",
	    .in = "Thanks.\n\n"
	    "On\xc2\xa0Mon, Jan 6, 2025 Ann <a@b.c> wrote:\xc2\xa0\n"
	    "> q\n",
	    .want = "Thanks.\n\n" },
	{ .name = "filter trap: U+3000 before Original Message",
	    .in = "Thanks.\n\n"
	    "\xe3\x80\x80-----Original Message-----\n"
	    "From: a\n"
	    "Sent: b\n",
	    .want = "Thanks.\n\n" },
	{ .name = "filter trap: decorated upper-case Original Message",
	    .in = "Thanks.\n\n   *> ---- ORIGINAL MESSAGE ----\nold\n",
	    .want = "Thanks.\n\n" },
	{ .name = "filter trap: Sent from my phone in brackets",
	    .in = "Thanks.\n\n  (Sent from my phone)\n",
	    .want = "Thanks.\n\n" },
	{ .name = "filter trap: word from mobile",
	    .in = "Thanks.\n\niPad from mobile\n",
	    .want = "Thanks.\n\n" },
	{ .name = "filter trap: via a list, space before the colon",
	    .in = "Thanks.\n\nAnn via Some List wrote :  \n> q\n",
	    .want = "Thanks.\n\n" },
	{ .name = "filter trap: bare verb with dashes above a quote",
	    .in = "Thanks.\n\nOn Mon Ann wrote --\n> q\n",
	    .want = "Thanks.\n\n" },
	{ .name = "filter trap: loose dated attribution",
	    .in = "Thanks.\n\n2013/10/2 Ann <a@b.c>\n> q\n",
	    .want = "Thanks.\n\n" },
	{ .name = "filter trap: KELVIN SIGN opening an attribution",
	    .in = "Thanks.\n\n"
	    "\xe2\x84\xaairjoitti Ann 2025 <a@b.c>:\n"
	    "> q\n",
	    .want = "Thanks.\n\n" },
	{ .name = "filter trap: __ signature",
	    .in = "Thanks.\n\n__\nAnn\n",
	    .want = "Thanks.\n\n" },
	{ .name = "filter trap: indented ==== list footer",
	    .in = "Thanks.\n\n\t=====\nList footer\n",
	    .want = "Thanks.\n\n" },
	{ .name = "filter trap: bold upper-case header fields",
	    .in = "Thanks.\n\n**FROM:** Ann\n**SENT:** Monday\n\nold\n",
	    .want = "Thanks.\n\n" },
	{ .name = "filter trap: attribution wrapped at the address",
	    .in = "Thanks.\n\n"
	    "On Mon, Jan 6, 2025 at 9:00 AM Ann <\n"
	    "a@b.c> wrote:\n"
	    "\n"
	    "> q\n",
	    .want = "Thanks.\n\n" },
	{ .name = "filter trap: French, U+00A0 before the colon",
	    .in = "Thanks.\n\n"
	    "Le lun. 6 janv. 2025 \xc3\xa0 09:00, Ann <a@b.c> a "
	    "\xc3\xa9" "crit\xc2\xa0:\n"
	    "> q\n",
	    .want = "Thanks.\n\n" },
};

struct html_case {
	const char *name;
	const char *in;
	bool forward;
	const char *want_new;	/* NULL: no split; else a substring */
	const char *want_hist;	/* a substring of the history */
};

static const struct html_case html_cases[] = {
	{ .name = "gmail_quote",
	    .in = "<div dir=ltr>New <b>text</b></div><br><div class="
	    "\"gmail_quote\"><div class=gmail_attr>On Mon, Ann &lt;a@b.c&gt;"
	    " wrote:<br></div><blockquote class=gmail_quote>old"
	    "</blockquote></div>",
	    .want_new = "New <b>text</b>", .want_hist = "old" },
	{ .name = "gmail_signature goes with the history",
	    .in = "<div dir=ltr>Thanks<br clear=all><div><br></div><span>-- "
	    "</span><br><div dir=ltr class=gmail_signature>Bob Example<br>"
	    "ACME</div></div><br><div class=gmail_quote><div class="
	    "gmail_attr>On Mon, Ann wrote:</div><blockquote>old</blockquote>"
	    "</div>", .want_new = "Thanks", .want_hist = "Bob Example" },
	{ .name = "Gmail forward is content",
	    .in = "<div>FYI</div><div class=gmail_quote><div class="
	    "gmail_attr>---------- Forwarded message ---------<br>From: Ann"
	    "</div><div>body</div></div>", .want_new = NULL },
	{ .name = "Apple blockquote type=cite",
	    .in = "<div>Yes</div><div><br><blockquote type=cite>On 6 Jan "
	    "2025, at 09:00, Ann wrote:<br><br></blockquote></div>"
	    "<blockquote type=cite><div>old</div></blockquote>",
	    .want_new = "Yes", .want_hist = "old" },
	{ .name = "Apple Mail, answered below the quote",
	    .in = "<div>Hi,</div><div><br><blockquote type=cite>On 6 Jan "
	    "2025, at 09:00, Ann wrote:<br><br></blockquote></div>"
	    "<blockquote type=cite><div>old</div></blockquote><div>Below "
	    "<b>it</b>.</div>", .want_new = "Below <b>it</b>.",
	    .want_hist = "old" },
	{ .name = "Thunderbird moz-cite-prefix",
	    .in = "<p>Ok</p><div class=moz-cite-prefix>On 1/6/25 9:00, Ann "
	    "wrote:<br></div><blockquote type=cite>old</blockquote>",
	    .want_new = "<p>Ok</p>", .want_hist = "old" },
	{ .name = "Thunderbird forward container is content",
	    .in = "<p>FYI</p><div class=moz-forward-container>-------- "
	    "Forwarded Message --------<table><tr><td>Subject: x</td></tr>"
	    "</table>body</div>", .want_new = NULL },
	{ .name = "Outlook border-top, read before styles go",
	    .in = "<div class=WordSection1><p class=MsoNormal>Done.</p>"
	    "<div style='border:none;border-top:solid #B5C4DF 1.0pt;"
	    "padding:3.0pt 0cm 0cm 0cm'><p class=MsoNormal><b>From:</b> Ann"
	    "<br><b>Sent:</b> Monday<br><b>To:</b> Bob<br><b>Subject:</b> x"
	    "</p></div><p class=MsoNormal>old</p></div>",
	    .want_new = "Done.", .want_hist = "old" },
	{ .name = "Outlook web divRplyFwdMsg after <hr>",
	    .in = "<div>Done.</div><hr style=\"display:inline-block\">"
	    "<div id=divRplyFwdMsg><b>From:</b> Ann<br><b>Sent:</b> Monday"
	    "<br><b>To:</b> Bob</div><div>old</div>",
	    .want_new = "Done.", .want_hist = "old" },
	{ .name = "Windows Mail <hr> and a header block",
	    .in = "<div>Done.</div><hr><div><b>From: </b>Ann<br><b>Sent: "
	    "</b>Monday<br><b>To: </b>Bob</div><div>old</div>",
	    .want_new = "Done.", .want_hist = "old" },
	{ .name = "Yahoo's prefixed yahoo_quoted",
	    .in = "<div>New</div><div id=ydp3f2ayahoo_quoted_0412 class="
	    "ydp3f2ayahoo_quoted><div>On Monday, Ann wrote:</div><div>old"
	    "</div></div>", .want_new = "New", .want_hist = "old" },
	{ .name = "AOL: Original Message in a div",
	    .in = "<font>Hello<br><br><div>-----Original Message-----<br>"
	    "From: Ann<br>Sent: Mon<br>Subject: x<br><br>old</div></font>",
	    .want_new = "Hello", .want_hist = "old" },
	{ .name = "Hotmail: &gt; quoted lines in the HTML",
	    .in = "<div>Hello<br><br><div>&gt; From: Ann<br>&gt; Date: Mon"
	    "<br>&gt;<br>&gt; old<br></div></div>",
	    .want_new = "Hello", .want_hist = "old" },
	{ .name = "a border-top that is decoration only",
	    .in = "<p>Hello</p><div style=\"border-top:solid 1px\">A "
	    "footer line</div>", .want_new = NULL },
	{ .name = "no history", .in = "<p>Just <i>this</i>.</p>",
	    .want_new = NULL },
	{ .name = "a forward subject", .forward = true,
	    .in = "<p>x</p><div class=gmail_quote>On Mon, Ann wrote:"
	    "<blockquote>old</blockquote></div>", .want_new = NULL },
};

struct subject_case {
	const char *subject;
	bool want;
};

static const struct subject_case subject_cases[] = {
	{ "Fwd: x", true }, { "FW: x", true }, { "Tr: x", true },
	{ "WG: x", true }, { "RV: x", true }, { "[list] Fwd: x", true },
	{ "转发: x", true }, { "Re: Fwd: x", false }, { "Re: x", false },
	{ "Fwdx", false }, { "Forward planning", false }, { NULL, false },
};

/*
 * test_long - past HISTORY_MAX_LINES only a hard start counts: a quote
 * that ends the lines read is not taken for the trailing history
 */
static void
test_long(void)
{
	GString *s;
	size_t i, at;

	s = g_string_new("Top.\n\n");
	for (i = 0; i < HISTORY_MAX_LINES + 10; i++)
		g_string_append(s, i % 2 ? "> quoted line\n" : "answer\n");
	at = history_split_text(s->str, s->len, false, NULL);
	tap_int((long long)at, (long long)s->len,
	    "long: a quote at the line cap is no trailing history");
	g_string_prepend(s, "Fine.\n\n-----Original Message-----\n");
	at = history_split_text(s->str, s->len, false, NULL);
	tap_int((long long)at, 7, "long: a hard start still counts");
	g_string_free(s, TRUE);
}

/* test_text - the text cases */
static void
test_text(void)
{
	const struct text_case *c;
	size_t i, at, end, len;
	char *got;

	for (i = 0; i < G_N_ELEMENTS(text_cases); i++) {
		c = &text_cases[i];
		len = strlen(c->in);
		at = history_split_text(c->in, len, c->forward, &end);
		got = at < len ? g_strndup(c->in, at) : NULL;
		tap_str(got, c->want, c->name);
		g_free(got);
		if (at < len)
			tap_str(end < len ? c->in + end : NULL, c->after,
			    c->name);
	}
	tap_int((long long)history_split_text(NULL, 0, false, NULL), 0,
	    "text: NULL is no history");
	test_long();
}

/* test_html - the HTML cases */
static void
test_html(void)
{
	const struct html_case *c;
	char *fresh, *hist;
	bool split, ok;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(html_cases); i++) {
		c = &html_cases[i];
		split = html_split_history(c->in, strlen(c->in), c->forward,
		    &fresh, &hist);
		if (c->want_new == NULL)
			ok = tap_ok(!split && fresh == NULL && hist == NULL,
			    "html: %s: not split", c->name);
		else
			ok = tap_ok(split && strstr(fresh, c->want_new) !=
			    NULL && strstr(fresh, c->want_hist) == NULL &&
			    strstr(hist, c->want_hist) != NULL &&
			    strstr(hist, c->want_new) == NULL,
			    "html: %s: new text and history", c->name);
		if (!ok)
			printf("#   new:  %s\n#   hist: %s\n",
			    fresh != NULL ? fresh : "(null)",
			    hist != NULL ? hist : "(null)");
		g_free(fresh);
		g_free(hist);
	}
}

/* test_subjects - forward prefixes */
static void
test_subjects(void)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(subject_cases); i++)
		tap_int(history_subject_forward(subject_cases[i].subject),
		    subject_cases[i].want, subject_cases[i].subject != NULL ?
		    subject_cases[i].subject : "(null subject)");
}

/*
 * Exact answers the rules here do not give, with why: the two upstream
 * suites disagree on "-Name" lines (GitHub takes "-Abhishek Kona" for a
 * signature, crisp keeps it), and crisp ends a reply at "Regards,".
 */
static const char *const corpus_todo[] = {
	"github-email_reply_parser/email_1_1.txt",
	"crisp-email-reply-parser/email_with_regards.txt",
};

/* norm - lines without trailing white space, no blank lines at the ends */
static char *
norm(const char *s, size_t len)
{
	GString *out;
	char **lines, *tmp;
	size_t i, a, z;

	tmp = g_strndup(s, len);
	lines = g_strsplit(tmp, "\n", -1);
	g_free(tmp);
	for (z = 0; lines[z] != NULL; z++)
		g_strchomp(lines[z]);
	for (a = 0; a < z && lines[a][0] == '\0'; a++)
		continue;
	while (z > a && lines[z - 1][0] == '\0')
		z--;
	out = g_string_new(NULL);
	for (i = a; i < z; i++) {
		if (i > a)
			g_string_append_c(out, '\n');
		g_string_append(out, lines[i]);
	}
	g_strfreev(lines);
	return g_string_free(out, FALSE);
}

/* test_corpus_folder - every exact answer of one reply-parser folder */
static void
test_corpus_folder(const char *corpus, const char *folder, const char *sub)
{
	struct json_object *root, *ans, *reply;
	struct json_object_iterator it, end;
	char *path, *fx, *data, *got, *want, *name;
	size_t len, at, k;
	bool todo;

	path = g_build_filename(corpus, folder, "EXPECTED.json", NULL);
	root = json_object_from_file(path);
	g_free(path);
	if (!tap_ok(root != NULL, "corpus: %s/EXPECTED.json read", folder))
		return;
	it = json_object_iter_begin(root);
	end = json_object_iter_end(root);
	for (; !json_object_iter_equal(&it, &end);
	    json_object_iter_next(&it)) {
		ans = json_object_iter_peek_value(&it);
		if (json_object_iter_peek_name(&it)[0] == '_' ||
		    !json_object_object_get_ex(ans, "reply", &reply))
			continue;
		name = g_strdup_printf("%s/%s", folder,
		    json_object_iter_peek_name(&it));
		fx = g_build_filename(corpus, folder, sub,
		    json_object_iter_peek_name(&it), NULL);
		if (!g_file_get_contents(fx, &data, &len, NULL)) {
			tap_ok(0, "corpus: %s readable", name);
			g_free(fx);
			g_free(name);
			continue;
		}
		at = history_split_text(data, len, false, NULL);
		got = norm(data, at);
		want = norm(json_object_get_string(reply),
		    strlen(json_object_get_string(reply)));
		todo = false;
		for (k = 0; k < G_N_ELEMENTS(corpus_todo); k++)
			if (strcmp(name, corpus_todo[k]) == 0)
				todo = true;
		if (todo) {
			/* TAP TODO: reported, not counted as a failure. */
			printf("%sok %d - corpus: %s # TODO see corpus_todo\n",
			    strcmp(got, want) == 0 ? "" : "not ", ++tap_n, name);
		} else
			tap_str(got, want, name);
		g_free(got);
		g_free(want);
		g_free(data);
		g_free(fx);
		g_free(name);
	}
	json_object_put(root);
}

/* hostile_time - CPU seconds so far (a diagnostic only) */
static double
hostile_time(void)
{
	return (double)clock() / CLOCKS_PER_SEC;
}

/*
 * test_hostile - large inputs built to make each line cost the most: the
 * answer must be right and come (the bound is in the design: a line is
 * read at most HIST_LINE_MAX bytes far by a fixed number of patterns,
 * spans of at most HIST_JOIN lines; the times are printed, not tested).
 */
static void
test_hostile(void)
{
	static const char *const almost[] = {
		"On Monday at 10:00 we met:",
		"Am 06.01.2025 um 09:00 haben wir gesprochen:",
		"Le lun. 6 janv. 2025 à 09:00, nous avons dit :",
		"Ann <ann at b.c> wrote on the wall",
		"On Mon, Jan 6, 2025 at 9:00 AM Ann wrote nothing -x",
		"2016-03-03 17:21 GMT+01:00 was the time",
		"Sent: not really, on 2025-01-06",
		"-----Original Message, almost",
		"---------- not a Forwarded message ----------x",
		"From the desk of Ann, 2025:",
	};
	const char *attr =
	    "On Mon, Jan 6, 2025 at 9:00 AM Ann <a@b.c> wrote:\n";
	GString *s;
	size_t i, at, end, want, want_end;
	double t0;
	char *a, *b;
	bool split;

	/* Lines that nearly read as attributions, header fields, rules:
	 * none is, so nothing is history. */
	s = g_string_new(NULL);
	for (i = 0; s->len < 1500 * 1024; i++)
		g_string_append_printf(s, "%s\n",
		    almost[i % G_N_ELEMENTS(almost)]);
	t0 = hostile_time();
	at = history_split_text(s->str, s->len, false, &end);
	printf("# %zu bytes of near attributions: %.2f s\n", s->len,
	    hostile_time() - t0);
	tap_int((long long)at, (long long)s->len,
	    "hostile: near attributions are no history");

	/* The same, but short enough that all lines are read, then a real
	 * attribution and a long quote: it is found. */
	g_string_truncate(s, 0);
	for (i = 0; i < 8000; i++)
		g_string_append_printf(s, "%s\n",
		    almost[i % G_N_ELEMENTS(almost)]);
	want = s->len;
	g_string_append(s, attr);
	for (i = 0; i < 11000; i++)
		g_string_append_printf(s,
		    "> quoted line %zu of the thread\n", i);
	t0 = hostile_time();
	at = history_split_text(s->str, s->len, false, &end);
	printf("# %zu bytes, attribution and quote at the end: %.2f s\n",
	    s->len, hostile_time() - t0);
	tap_int((long long)at, (long long)want,
	    "hostile: attribution after 8000 near ones");
	tap_int((long long)end, (long long)s->len,
	    "hostile: history runs to the end");

	/* A bottom-posted reply under a long quote: the history is in the
	 * middle. */
	g_string_assign(s, "Hello,\n\n");
	want = s->len;
	g_string_append(s, attr);
	for (i = 0; i < 19000; i++)
		g_string_append_printf(s, ">> > quoted %zu:\n", i);
	want_end = s->len;
	g_string_append(s, "Regards,\nAnn\n");
	t0 = hostile_time();
	at = history_split_text(s->str, s->len, false, &end);
	printf("# %zu bytes of quote with text below: %.2f s\n", s->len,
	    hostile_time() - t0);
	tap_int((long long)at, (long long)want, "hostile: long quote found");
	tap_int((long long)end, (long long)want_end,
	    "hostile: the text below the quote is new");

	/* One line of 1 MB (ending like an attribution), then a real one. */
	g_string_truncate(s, 0);
	for (i = 0; i < 1024 * 1024 / 16; i++)
		g_string_append(s, "On 2025 at 9:00 ");
	g_string_append(s, "<a@b.c> wrote:\n\n");
	want = s->len;
	g_string_append(s, attr);
	g_string_append(s, "> old\n");
	t0 = hostile_time();
	at = history_split_text(s->str, s->len, false, &end);
	printf("# one line of %zu bytes: %.2f s\n", want, hostile_time() - t0);
	tap_int((long long)at, (long long)want,
	    "hostile: a 1 MB line is read as far as HIST_LINE_MAX");

	/* The HTML reader: paragraphs of near attributions in nested
	 * blockquotes, then Gmail's mark. */
	g_string_assign(s, "<html><body>");
	for (i = 0; s->len < 1024 * 1024; i++)
		g_string_append_printf(s, "<blockquote><p>%s</p></blockquote>"
		    "<p>%s</p>\n", almost[i % G_N_ELEMENTS(almost)],
		    almost[(i + 3) % G_N_ELEMENTS(almost)]);
	g_string_append(s, "<div class=\"gmail_quote\">On Mon, Jan 6, 2025 "
	    "Ann wrote:<blockquote>old</blockquote></div></body></html>");
	t0 = hostile_time();
	split = html_split_history(s->str, s->len, false, &a, &b);
	printf("# %zu bytes of HTML: %.2f s\n", s->len, hostile_time() - t0);
	tap_ok(split && b != NULL && strstr(b, "old") != NULL &&
	    strstr(b, "we met") == NULL,
	    "hostile: HTML history found after 1 MB of near ones");
	g_free(a);
	g_free(b);
	g_string_free(s, TRUE);
}

int
main(void)
{
	const char *corpus;

	test_text();
	test_html();
	test_subjects();
	test_hostile();
	corpus = getenv("M2N_CORPUS");
	if (corpus == NULL)
		corpus = "tests/corpus";
	test_corpus_folder(corpus, "crisp-email-reply-parser", "fixtures");
	test_corpus_folder(corpus, "github-email_reply_parser", "emails");
	return tap_done();
}
