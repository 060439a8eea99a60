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
 * Used error codes: none; these functions cannot fail (gumbo accepts any
 * input).  NULL input gives "".
 *
 * Reentrancy: reentrant.
 */
#ifndef GW_HTML_H
#define GW_HTML_H

#include <stddef.h>

/* html_sanitize - allowlisted fragment; new string, caller g_free()s */
char *html_sanitize(const char *html, size_t len);

/*
 * html_to_text - readable plain text: block elements become line breaks,
 * paragraphs blank lines, lists "- " / "1. " items, links "text <url>"
 * when the URL differs from the text, tables one row per line, images
 * "[alt]"; runs of white space folded as a browser would; script/style
 * content dropped; no trailing blank lines.  New string, caller g_free()s.
 */
char *html_to_text(const char *html, size_t len);

/*
 * html_from_text - plain text as HTML that reads the same: every special
 * character escaped, line breaks kept (<br>), blank lines as paragraph
 * breaks, URLs made into links.  New string, caller g_free()s.
 */
char *html_from_text(const char *text);

/* html_escape - text with & < > " ' escaped; new string, caller g_free()s */
char *html_escape(const char *text);

#endif /* GW_HTML_H */
