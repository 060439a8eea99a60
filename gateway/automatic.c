/*
 * automatic.c - auto-replies, bounces and loops told by their header and
 * envelope sender (see automatic.h).
 */
#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include "automatic.h"

/* automatic_token - does the header value start with word
 * (case-insensitive, ended by white space, ';', '(' or the end) */
static bool
automatic_token(const char *value, const char *word)
{
	size_t n;

	while (*value == ' ' || *value == '\t')
		value++;
	n = strlen(word);
	if (g_ascii_strncasecmp(value, word, n) != 0)
		return false;
	value += n;
	return *value == '\0' || *value == ' ' || *value == '\t' ||
	    *value == ';' || *value == '(' || *value == '\r' ||
	    *value == '\n';
}

/* automatic_local_part - is the local part of addr (maybe in <>) one of
 * names */
static bool
automatic_local_part(const char *addr, const char *const *names)
{
	const char *at, *end;
	size_t n, i;

	if (addr == NULL)
		return false;
	while (*addr == ' ' || *addr == '\t' || *addr == '<')
		addr++;
	at = strrchr(addr, '@');
	end = at != NULL ? at : addr + strlen(addr);
	while (end > addr && (end[-1] == '>' || end[-1] == ' '))
		end--;
	n = (size_t)(end - addr);
	for (i = 0; names[i] != NULL; i++)
		if (strlen(names[i]) == n &&
		    g_ascii_strncasecmp(addr, names[i], n) == 0)
			return true;
	return false;
}

/* automatic_daemon - is the local part of addr (maybe in <>)
 * MAILER-DAEMON */
static bool
automatic_daemon(const char *addr)
{
	static const char *const daemons[] = { "mailer-daemon", NULL };

	return automatic_local_part(addr, daemons);
}

/*
 * automatic_bounce - old MTAs send bounces without multipart/report or
 * Auto-Submitted.  Under a real MTA the null envelope sender catches
 * them (automatic_envelope); these header signs catch the rest when the
 * envelope is not at hand (Return-Path is written from it at delivery).
 */
static const char *
automatic_bounce(const struct automatic_header *h)
{
	static const char *const postmasters[] = { "postmaster",
	    "post_master", "mailer-daemon", "mailerdaemon", "mail-daemon",
	    "maildaemon", NULL };
	const char *v;

	v = h->return_path;
	if (v != NULL) {
		while (*v == ' ' || *v == '\t')
			v++;
		if (strcmp(v, "<>") == 0 || automatic_daemon(v))
			return "Return-Path: <> (bounce)";
	}
	/* "From: MAILER-DAEMON <>" has no address to look at. */
	v = h->from;
	if (v != NULL) {
		while (*v == ' ' || *v == '\t' || *v == '"')
			v++;
		if (g_ascii_strncasecmp(v, "mailer-daemon", 13) == 0)
			return "From: MAILER-DAEMON";
	}
	if (h->x_failed_recipients != NULL)
		return "X-Failed-Recipients header (bounce)";
	/*
	 * Anchored: a person at postmaster@ forwarding or answering about a
	 * bounce ("Fwd: Undeliverable ...", "Re: ...") is not a bounce.
	 */
	if (h->subject != NULL &&
	    automatic_local_part(h->from_addr, postmasters) &&
	    g_regex_match_simple("^\\s*(\\[[^]]*\\]\\s*)?(undeliver|"
	    "delivery (status|fail|notif|problem|report)|returned mail|"
	    "mail delivery|failure notice|non-?delivery|"
	    "(message|mail) could not be delivered|delivery has failed)",
	    h->subject, G_REGEX_CASELESS, 0))
		return "bounce from postmaster";
	return NULL;
}

/* automatic_starts - does subject start with one of the phrases of re
 * (anchored, after blanks and a "[tag]"; case-insensitive UTF-8) */
static bool
automatic_starts(const char *subject, const char *re)
{
	char *pattern;
	bool hit;

	if (subject == NULL)
		return false;
	pattern = g_strconcat("^\\s*(\\[[^]]*\\]\\s*)?(", re, ")", NULL);
	hit = g_regex_match_simple(pattern, subject, G_REGEX_CASELESS, 0);
	g_free(pattern);
	return hit;
}

/*
 * automatic_complaint - abuse desks that do not send ARF
 * (multipart/report with message/feedback-report, caught above) but a
 * short text and the complained-about mail as message/rfc822, as
 * Outlook.com's JMRP does ("staff@hotmail.com", "complaint about message
 * from 192.0.2.1"), and some MTAs' bounces from no-reply@.  The
 * enclosed mail alone is not enough: a person attaches an .eml to a
 * ticket; the sender or the subject must say "abuse desk" or "robot" too.
 */
static const char *
automatic_complaint(const struct automatic_header *h)
{
	static const char *const desks[] = { "abuse", "abuse-report",
	    "abuse_report", "abusereport", "abuse-reports", "staff",
	    "postmaster", "post_master", "mailer-daemon", "fbl",
	    "feedback", "feedbackloop", "feedback-loop", "complaints",
	    "complaint", "spamreport", "spam-report", "spamreports",
	    "scomp", "jmrp", "arf", NULL };
	static const char *const robots[] = { "noreply", "no-reply",
	    "no_reply", "donotreply", "do-not-reply", "do_not_reply",
	    "bounce", "bounces", NULL };

	if (!h->encloses_message)
		return NULL;
	if (automatic_local_part(h->from_addr, desks))
		return "abuse complaint (a mail enclosed, from an abuse desk)";
	/* Nobody answers a no-reply address: its enclosure is a report. */
	if (automatic_local_part(h->from_addr, robots))
		return "report enclosing a mail, from a no-reply sender";
	if (automatic_starts(h->subject, "complaint about (message|mail|"
	    "e-?mail)|((e-?mail|spam|phishing) )?abuse (report|complaint|"
	    "notification)|(e-?mail )?(spam|junk) (report|complaint)|"
	    "(fbl|feedback[- ]loop) (report|complaint|notification)|"
	    "this is an? (e-?mail )?abuse report"))
		return "abuse complaint (a mail enclosed, subject)";
	return NULL;
}

/*
 * The out-of-office subjects mail clients and servers write, in their
 * users' languages: English, German, French, Spanish, Italian, Dutch,
 * Portuguese, Swedish, Danish/Norwegian, Finnish, Polish, Czech/Slovak,
 * Hungarian, Romanian, Turkish, Russian, Ukrainian, Greek, Japanese,
 * Chinese, Korean, Hebrew, Arabic, Vietnamese, Indonesian.  Each is
 * followed by a colon or ends the subject ("Automatic reply: Printer",
 * "Out of Office"), so that "Automatic reply settings" is not one.
 */
#define AUTOMATIC_AWAY \
	"(automatic|auto)[- ]?(reply|response|answer)|autoreply|" \
	"out of (the )?office( (auto-?reply|reply|notice|notification))?|" \
	"vacation (auto-?reply|reply|notice|message|response)|" \
	"on vacation|away from (the )?office|" \
	"abwesenheitsnotiz|automatische abwesenheitsnotiz|" \
	"automatische antwort|abwesend|nicht im b[üu]ro|" \
	"r[ée]ponse automatique|absent(e)? du bureau|absence du bureau|" \
	"message d'absence|" \
	"respuesta autom[áa]tica|fuera de (la )?oficina|ausente|" \
	"risposta automatica|fuori sede|fuori ufficio|" \
	"automatisch antwoord|afwezig|niet aanwezig|afwezigheidsbericht|" \
	"resposta autom[áa]tica|fora do escrit[óo]rio|aus[êe]ncia|" \
	"automatiskt svar|autosvar|fr[åa]nvaro(meddelande)?|" \
	"automatisk svar|automatisk besked|frav[æe]r|" \
	"automaattinen vastaus|poissa toimistolta|" \
	"odpowied[źz] automatyczna|automatyczna odpowied[źz]|" \
	"poza biurem|nieobecno[śs][ćc]|" \
	"automatick[áa] odpov[ěe][ďd]|automatick[áa] odpove[ďd]|" \
	"mimo kancel[áa][řr]|automatikus v[áa]lasz|h[áa]zon k[íi]v[üu]l|" \
	"r[ăa]spuns automat|otomatik (yan[ıi]t|cevap)|ofis d[ıi][şs][ıi]nda|" \
	"автоматический ответ|автоответ|нет на месте|вне офиса|" \
	"автоматична відповідь|αυτόματη απάντηση|" \
	"自動応答|自動返信|不在通知|不在のお知らせ|" \
	"自动回复|自動回覆|自动答复|自動回復|自動回复|" \
	"자동 ?응답|자동 ?회신|부재 ?중|" \
	"תשובה אוטומטית|رد تلقائي|" \
	"tr[ảa] l[ờo]i t[ựu] đ[ộo]ng|balasan otomatis"

/*
 * automatic_away - an out-of-office subject with a second hint.  Exchange
 * and Outlook send "Automatic reply:" with X-Auto-Response-Suppress but
 * no Auto-Submitted, iCloud "Auto reply:" with X-Apple-Action, vacation
 * scripts often "Precedence: auto_reply" or a no-reply sender.
 */
static const char *
automatic_away(const struct automatic_header *h)
{
	static const char *const robots[] = { "postmaster", "post_master",
	    "mailer-daemon", "noreply", "no-reply", "no_reply",
	    "donotreply", "do-not-reply", "do_not_reply", "autoreply",
	    "auto-reply", "auto_reply", "autoresponder", "vacation", NULL };
	const char *why;

	if (h->x_auto_response_suppress != NULL)
		why = "out-of-office subject and X-Auto-Response-Suppress";
	else if (h->x_apple_action != NULL)
		why = "out-of-office subject and X-Apple-Action";
	else if (h->x_autogenerated != NULL)
		why = "out-of-office subject and X-Autogenerated";
	else if (h->precedence != NULL)
		why = "out-of-office subject and Precedence";
	else if (automatic_local_part(h->from_addr, robots))
		why = "out-of-office subject from a no-reply sender";
	else
		return NULL;
	if (!automatic_starts(h->subject, "(" AUTOMATIC_AWAY
	    ")\\s*([:：]|$)"))
		return NULL;
	return why;
}

/* automatic_header - why this header says "automatic", or NULL */
const char *
automatic_header(const struct automatic_header *h)
{
	static const struct {
		const char *word;
		const char *why;
	} auto_submitted[] = {
		{ "auto-replied", "Auto-Submitted: auto-replied" },
		{ "auto-generated", "Auto-Submitted: auto-generated" },
		{ "auto-notified", "Auto-Submitted: auto-notified" },
	}, precedence[] = {
		{ "bulk", "Precedence: bulk" },
		{ "junk", "Precedence: junk" },
		{ "list", "Precedence: list" },
	};
	const char *p, *why;
	size_t i;

	if (h->content_type != NULL &&
	    g_ascii_strcasecmp(h->content_type, "multipart/report") == 0)
		return "multipart/report (delivery or read report)";
	if (h->auto_submitted != NULL) {
		for (p = h->auto_submitted; *p == ' ' || *p == '\t'; p++)
			;
		if (*p != '\0' && !automatic_token(p, "no")) {
			for (i = 0; i < G_N_ELEMENTS(auto_submitted); i++)
				if (automatic_token(p, auto_submitted[i].word))
					return auto_submitted[i].why;
			return "Auto-Submitted (not \"no\")";
		}
	}
	if (h->precedence != NULL)
		for (i = 0; i < G_N_ELEMENTS(precedence); i++)
			if (automatic_token(h->precedence, precedence[i].word))
				return precedence[i].why;
	if (h->x_autoreply != NULL)
		return "X-Autoreply header";
	if (h->x_autorespond != NULL)
		return "X-Autorespond header";
	if (h->x_apple_action != NULL &&
	    automatic_token(h->x_apple_action, "vacation"))
		return "X-Apple-Action: vacation";
	if (automatic_daemon(h->from_addr))
		return "From: MAILER-DAEMON";
	why = automatic_bounce(h);
	if (why == NULL)
		why = automatic_complaint(h);
	if (why == NULL)
		why = automatic_away(h);
	return why;
}

/* automatic_envelope - why the envelope sender says "automatic", or NULL */
const char *
automatic_envelope(const char *envelope_sender)
{
	const char *s;

	if (envelope_sender == NULL)
		return NULL;
	for (s = envelope_sender; *s == ' ' || *s == '\t'; s++)
		;
	if (*s == '\0' || strcmp(s, "<>") == 0)
		return "null envelope sender";
	if (automatic_daemon(s))
		return "envelope sender MAILER-DAEMON";
	return NULL;
}
