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
	const char *p;
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
	if (automatic_daemon(h->from_addr))
		return "From: MAILER-DAEMON";
	return automatic_bounce(h);
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
