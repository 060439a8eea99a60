/*
 * html.h - HTML in, safe HTML or readable text out.
 *
 * Pure.  Parses with gumbo (HTML5, as browsers parse) and walks the tree;
 * never a regex on markup.  Input and output are UTF-8.
 *
 * html_sanitize() keeps an allowlist of elements and attributes.  Gone:
 * script, style, iframe, frame, object, embed, applet, form and its
 * controls, base, meta, link, svg, math, template; every on* handler; any
 * URL attribute whose scheme is not http, https or mailto (javascript:,
 * data:, vbscript:, file: ...).  Remote images are not loaded: an <img>
 * becomes its alt text in brackets.  Comments are dropped.  The result is
 * a fragment (the body's contents), well-formed and escaped.
 *
 * Common to html_sanitize() and html_to_text():
 * - Input bytes that are not UTF-8 (and NUL) become U+FFFD; only the first
 *   HTML_MAX_INPUT bytes are read.
 * - Content the sender hid (the hidden attribute, style "display:none",
 *   as in e-mail "preheaders") is dropped like script content.
 * - Elements nested deeper than 256 are flattened: their text stays, their
 *   tags go.  Work and memory are linear in the input, whatever its shape
 *   (a nesting bomb, misnested formatting tags).
 *
 * Used error codes: none; these functions cannot fail (gumbo accepts any
 * input).  NULL input gives "".
 *
 * Reentrancy: reentrant.
 */
#ifndef GW_HTML_H
#define GW_HTML_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes of HTML read at most; the rest is ignored. */
#define HTML_MAX_INPUT (16 * 1024 * 1024)

/*
 * html_sanitize - allowlisted fragment; new string, caller g_free()s.
 * Elements: a abbr address b blockquote br caption center cite code col
 * colgroup dd del details dfn div dl dt em font h1-h6 hr i ins kbd li mark
 * ol p pre q s samp small span strike strong sub summary sup table tbody
 * td tfoot th thead tr tt u ul var wbr; article, aside, figure, footer,
 * header, main, nav, section ... become div.  Other elements (o:p, form,
 * label, custom tags) are unwrapped: tag gone, content kept.  Attributes:
 * title, dir, lang anywhere; a href (http, https, mailto only, plus
 * rel="noopener noreferrer nofollow"); td/th colspan rowspan align valign;
 * table border cellpadding cellspacing align; ol start type; font color;
 * col/colgroup span; p div span h1-h6 tr align.  No style, class, id.
 * <img> becomes <span>[image: ALT]</span>, or [image] without alt, or
 * nothing when alt="" or it is 0 or 1 pixel wide or high (spacers, tracking
 * pixels).  Text escapes & < > and writes U+00A0 as &nbsp;; attribute
 * values are double-quoted and escape & " < > as well.  No leading or
 * trailing white space.
 */
char *html_sanitize(const char *html, size_t len);

/*
 * html_to_text - readable plain text: block elements become line breaks,
 * paragraphs and headings blank lines, lists "- " / "1. " items (nested
 * lists indented by two spaces), blockquote lines "> ", links "text <url>"
 * when the URL (http, https, or mailto shown without "mailto:") differs
 * from the text, tables one row per line with cells joined by " | ", <hr>
 * a "---" line, images "[image: alt]" (nothing without alt text); runs of
 * white space folded as a browser would except in <pre>; &nbsp; a plain
 * space; script/style content dropped.  No trailing white space on any
 * line, never two blank lines in a row, no leading or trailing blank line,
 * no final newline.  New string, caller g_free()s.
 */
char *html_to_text(const char *html, size_t len);

/*
 * html_from_text - plain text as HTML that reads the same: every special
 * character escaped, line breaks kept (<br>), blank lines as paragraph
 * breaks (<p>), leading and repeated spaces kept with &nbsp; (tabs expanded
 * to 8-column stops), lines quoted with ">" as nested <blockquote>s,
 * http(s) URLs made into links.  CRLF, CR and LF all end lines.  The result
 * is already in html_sanitize() form: sanitizing it changes nothing.
 * New string, caller g_free()s.
 */
char *html_from_text(const char *text);

/*
 * html_from_text_plain - html_from_text() with no markup beyond <p> and
 * <br>: no links, and ">" quote marks stay text (escaped), for an API
 * that refused our markup.  New string, caller g_free()s.
 */
char *html_from_text_plain(const char *text);

/*
 * html_split_history - cut an HTML reply where its quoted history starts
 * (history.h; the marks only HTML has are read on the tree, before the
 * sanitizer drops class and style).  On true, *new_r and *hist_r are the
 * two halves in html_sanitize() form (new strings, caller g_free()s;
 * *new_r may be ""); on false (no history, or forward) both are NULL.
 */
bool html_split_history(const char *html, size_t len, bool forward,
    char **new_r, char **hist_r);

/* What html_render() makes of one HTML body. */
struct html_parts {
	char *san;		/* html_sanitize() */
	char *text;		/* html_to_text(), NULL unless asked for */
	char *fresh;		/* html_split_history() *new_r, or NULL */
	char *hist;		/* html_split_history() *hist_r, or NULL */
	char *fresh_text;	/* html_to_text() of fresh, of hist: with */
	char *hist_text;	/* text and HTML_SPLIT_ALL, else NULL */
};

/* What html_render() splits off (true and false read as ALL and NONE). */
enum html_split {
	HTML_SPLIT_NONE,	/* nothing (a forward: content whole) */
	HTML_SPLIT_ALL,		/* the halves, and with text their text */
	HTML_SPLIT_HTML		/* the halves' HTML only: the caller has
				 * a text of its own */
};

/*
 * html_render - parse html once and make from that one tree what
 * html_sanitize(), html_to_text() (when text) and html_split_history()
 * (unless split is HTML_SPLIT_NONE) would each make with a parse of their
 * own: the same bytes; with text and HTML_SPLIT_ALL, the text of the two
 * halves too (as html_to_text() of each reads it, but for a piece that
 * only a parse out of its context reads otherwise: see
 * html_text_split()).  Free with html_parts_clear().
 */
void html_render(const char *html, size_t len, bool text,
    enum html_split split, struct html_parts *r);

/*
 * html_render_pieces - html_render() of the pieces p[0, n) joined in
 * order, and in *texts_r the html_to_text() of each piece alone, all from
 * one parse (for a body in several parts).  *texts_r is NULL-terminated:
 * g_strfreev() it.  The same bytes as a render of the joined source as
 * long as each piece closes what it opens (the pre-pass closes the rest).
 */
void html_render_pieces(const char *const *p, const size_t *len, size_t n,
    bool text, enum html_split split, struct html_parts *r, char ***texts_r);

/* html_parts_clear - free the strings of *r and zero it; NULL-safe */
void html_parts_clear(struct html_parts *r);

/* html_escape - text with & < > " ' escaped; new string, caller g_free()s */
char *html_escape(const char *text);

#endif /* GW_HTML_H */
