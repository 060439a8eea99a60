/*
 * html_cut.h - cut a rendered body to a byte budget without parsing it
 * again.
 *
 * The note (note.c) fits its bodies to max_note_size by a binary search
 * on a byte budget; each step needs the HTML body cut to that budget.
 * Sanitising the cut prefix again, or running html_from_text() again on
 * the cut text, at every step cost nine parses of a 1 MB body.  Here the
 * body is rendered once and each step only copies a prefix:
 *
 * - html_cut_html() cuts HTML in html_sanitize() form (our own output:
 *   no raw '<' or '>' outside a tag, every element closed) outside any
 *   tag, character reference or UTF-8 sequence, and appends the end tags
 *   of the elements the cut left open: what sanitising the prefix again
 *   would write.
 * - struct html_cut_text is html_from_text() of a text, rendered once
 *   with the output offset and line state of every line start, so that
 *   html_from_text() of any prefix of the text is the recorded output up
 *   to the prefix's last line plus that one line rendered again: the same
 *   bytes as a full html_from_text() of the prefix.
 *
 * Used error codes: none; nothing here can fail.
 *
 * Reentrancy: reentrant.
 */
#ifndef GW_HTML_CUT_H
#define GW_HTML_CUT_H

#include <stddef.h>

#include <glib.h>

/*
 * html_cut_html - san[0, len) (html_sanitize() form) cut to at most n
 * bytes (less when n falls in a tag, a character reference or a UTF-8
 * character), then the end tags of the elements left open; leading and
 * trailing white space trimmed as html_sanitize() trims.  n >= len: the
 * whole of san.  New string, caller g_free()s.
 */
char *html_cut_html(const char *san, size_t len, size_t n);

struct html_cut;

/*
 * html_cut_new - san[0, len) (html_sanitize() form) scanned once for the
 * open elements, with a mark every few KB, so that html_cut_at() rescans
 * only from the last mark: the note's size search cuts the same body
 * about nine times.  san is borrowed: it must outlive the result.  Free
 * with html_cut_free().
 */
struct html_cut *html_cut_new(const char *san, size_t len);

/* html_cut_at - html_cut_html(san, len, n), byte for byte; new string,
 * caller g_free()s */
char *html_cut_at(const struct html_cut *x, size_t n);

/* html_cut_free - free *x_r and set it to NULL; NULL-safe */
void html_cut_free(struct html_cut **x_r);

/*
 * html_cut_piece - html_sanitize() of san[from, to), where san is
 * html_san_doc() output (not yet trimmed) and from and to are node
 * starts it noted: the end tags of elements opened before from go (the
 * pre-pass drops them), the elements left open at to are closed, white
 * space is trimmed.  NULL when a parse could build another tree than the
 * piece's tags say (a table cell without its row, a <p> that a block in
 * it would close, a <pre> left open ...): the caller sanitises the piece
 * then.  New string, caller g_free()s.
 */
char *html_cut_piece(const char *san, size_t from, size_t to);

struct html_cut_text;

/*
 * html_cut_text_new - html_from_text() of text, rendered once for
 * html_cut_text_html().  text (valid UTF-8, as every string crossing
 * modules) is borrowed: it must outlive the result.  Only the lines
 * before the point where text and HTML together pass limit bytes (and a
 * chunk of 64 KB more) are kept: a cut past them renders the rest again,
 * which a note of limit bytes never needs.  SIZE_MAX: all of it.  Free
 * with html_cut_text_free().
 */
struct html_cut_text *html_cut_text_new(const char *text, size_t limit);

/*
 * html_cut_text_least - a lower bound of the length of html_from_text()
 * of the whole text (exact but for one newline when rendered whole)
 */
size_t html_cut_text_least(const struct html_cut_text *c);

/*
 * html_cut_text_html - html_from_text() of the first n bytes of the text
 * (n moved back to a character boundary; n past the end: the whole
 * text), byte for byte, rendering again only from the last line mark
 * before n (512 bytes and a line at most, within the limit).  New
 * string, caller g_free()s.
 */
char *html_cut_text_html(const struct html_cut_text *c, size_t n);

/*
 * html_cut_text_append - html_cut_text_html() appended to dst without a
 * copy of its own; returns the bytes appended
 */
size_t html_cut_text_append(GString *dst,
    const struct html_cut_text *c, size_t n);

/* html_cut_text_free - free *c_r and set it to NULL; NULL-safe */
void html_cut_text_free(struct html_cut_text **c_r);

#endif /* GW_HTML_CUT_H */
