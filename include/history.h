/*
 * history.h - where the new text of a reply ends and its quoted history
 * (and closing signature) begins.
 *
 * Pure.  Works on lines: history_split_text() cuts plain text into lines
 * itself; html_split_history() (html.h) makes lines from the gumbo tree
 * and marks the structural signs only HTML carries.  The rules follow the
 * trimmers that mail projects test against (GitHub's email_reply_parser,
 * Discourse's email_reply_trimmer, talon):
 *
 * - a hard start: "-----Original Message-----" (and its translations), a
 *   header block of at least two fields one of which is From (Outlook's
 *   "From: / Sent: / To: / Subject:", in a dozen languages), an
 *   attribution line ("On ... wrote:", "Am ... schrieb ...:", "Le ... a
 *   écrit :", "... <a@b>:" with a date) followed by unquoted text, or a
 *   structural mark (HISTORY_MARK);
 * - then, going back from there (or from the end when there is none):
 *   blank lines, a run of quoted lines (">" or a blockquote) with its
 *   attribution line, and a signature ("-- ", "__", "Sent from my
 *   iPhone" and translations) all belong to the history;
 * - an inline forward ("---------- Forwarded message ---------", "Begin
 *   forwarded message:", HISTORY_FWD) seen before any of these is
 *   content: nothing is split; so is everything when the subject says
 *   the message is a forward (history_subject_forward());
 * - quoted text answered in between (an inline reply: quoted runs with
 *   new text between them) stays new text;
 * - one quoted run with its attribution and only new text below it (a
 *   bottom-posted reply, or "Regards" after the quote) is the history
 *   although new text follows it: the history is then a range in the
 *   middle (*end_r), and the callers show the text after it with the new
 *   text, above the separator.
 *
 * Nothing is ever dropped: the callers show the history under
 * HISTORY_SEPARATOR.
 *
 * Used error codes: none; nothing here can fail.
 *
 * Reentrancy: reentrant; the compiled patterns are made once (g_once) and
 * only read after.
 */
#ifndef GW_HISTORY_H
#define GW_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

/* The line between the new text and the history, in both bodies. */
#define HISTORY_SEPARATOR	"--- Quoted history ---"

/* Lines examined at most: in a longer text only a hard start (not a
 * trailing quote) among the first HISTORY_MAX_LINES lines counts. */
#define HISTORY_MAX_LINES	20000

/* struct history_line flags */
#define HISTORY_QUOTED	(1u << 0)	/* quoted: ">" or in a blockquote */
#define HISTORY_MARK	(1u << 1)	/* a structural start of history
					 * (gmail_quote, moz-cite-prefix,
					 * divRplyFwdMsg, border-top ...) */
#define HISTORY_FWD	(1u << 2)	/* a structural inline forward */
#define HISTORY_SIG	(1u << 3)	/* a structural signature
					 * (gmail_signature, moz-signature) */

struct history_line {
	const char *text;	/* borrowed; UTF-8, no line end */
	size_t len;		/* bytes of text */
	unsigned int flags;	/* HISTORY_* */
};

/*
 * history_find - index of the first line of the history in lines[0, n),
 * or n when there is none; *end_r (may be NULL) gets the index of the
 * first line after it: n, unless new text follows the history.  forward:
 * the message is a forward (nothing is history).
 */
size_t history_find(const struct history_line *lines, size_t n,
    bool forward, size_t *end_r);

/*
 * history_split_text - byte offset in text[0, len) where the history
 * starts (the start of a line), or len when there is none; *end_r (may
 * be NULL) gets where it ends: len, or the start of the line of new text
 * that follows it.  Lines end at "\n" (a "\r" before it is ignored).
 */
size_t history_split_text(const char *text, size_t len, bool forward,
    size_t *end_r);

/*
 * history_subject_forward - does the subject (may be NULL) open with a
 * forward prefix ("Fwd:", "FW:", "Tr:", "WG:", "RV:", "I:", "Doorst:",
 * "VS:", "ENC:", "转发:", "転送:" ...), after any "[list]" tag?
 */
bool history_subject_forward(const char *subject);

#endif /* GW_HISTORY_H */
