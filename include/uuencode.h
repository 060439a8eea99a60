/*
 * uuencode.h - find uuencoded files inside the text of a text/plain part
 * and take them out of it.
 *
 * Old mailers (Pine, Outlook Express, Lotus Notes, uuencode(1) piped into
 * mail(1)) sent files as a "begin MODE NAME" line, lines of uuencode and
 * an "end" line, in the middle of the text.  Shown as text, that is
 * kilobytes of "M1TE&..." noise.  A uuencode scanner is fed the decoded
 * bytes of a text part, before charset conversion, and passes the text
 * on unchanged except that each block becomes one line in its place,
 * "[uuencoded file: NAME]", and a struct message_attachment (type
 * application/octet-stream: uuencode carries no type, and the name of a
 * hostile file may claim any).  "begin-base64" blocks (uuencode -m,
 * ending "====") are taken the same way.
 *
 * What is a block (strict, so that prose is never eaten): a line
 * "begin MODE NAME" (MODE 3 or 4 octal digits, one space each side, NAME
 * not empty), then lines of valid uuencode: a length character between
 * ' ' and '`', then as many characters as that length needs, all between
 * ' ' and '`' (lower case letters never are), none longer than the
 * first and none after a shorter one; then a zero-length line ("`", a
 * space, or nothing) and "end" (one of the two is enough).
 * Trailing white space and CR are ignored on the begin and end lines.
 * Base64 lines are of its alphabet, a multiple of 4 long, "=" only as
 * padding at the end.  The data is decoded by GMime
 * (g_mime_encoding_uudecode_step, g_mime_encoding_base64_decode_step),
 * which checks each line's length character, only to count its bytes:
 * nothing decoded is kept.
 *
 * Until a block is sure, its lines are held back: it is sure once 32
 * bytes decoded (the first full line), or at its "end"; so at most 33
 * short lines are held.  A line that is not valid uuencode before that
 * gives the held lines back as text.  After that, a line that is not
 * valid uuencode ends the block, and is text again; the file is listed as
 * partial when its data may be cut (no zero-length line, "end" or
 * "===="; its marker then says "(incomplete)").  So no line of text is
 * ever lost, and a message cut in the middle of a block still lists the
 * file.
 *
 * Names are hostile: only the base name is kept (after the last '/' or
 * '\'), cut at UUENCODE_NAME_MAX bytes, control characters shown as '?'
 * in the marker; the attachment's filename is that name converted from
 * the part's charset to clean UTF-8 (charset_line()).  A line longer
 * than UUENCODE_LINE_MAX bytes is text, whatever it holds.
 *
 * Memory: one line and the held lines, whatever the size of the block.
 *
 * Used error codes: none; nothing here fails (GLib aborts on OOM).
 *
 * Reentrancy: no global state.
 */
#ifndef GW_UUENCODE_H
#define GW_UUENCODE_H

#include <stddef.h>

#include <glib.h>

#define UUENCODE_LINE_MAX	4096	/* longer lines are text */
#define UUENCODE_NAME_MAX	255	/* bytes of a file name kept */
#define UUENCODE_FILES_MAX	100	/* files listed per text part; more
					 * blocks are still taken out */

struct uuencode;

/*
 * uuencode_new - a scanner for one text part whose charset parameter is
 * charset (NULL: none; copied).  New, free with uuencode_free().
 */
struct uuencode *uuencode_new(const char *charset);

/*
 * uuencode_feed - scan len bytes of the part (any split: lines may span
 * calls); the text, with each block replaced by its marker line, is
 * appended to text.  Text is held back only while a line is incomplete
 * or a block unsure.
 */
void uuencode_feed(struct uuencode *uu, const char *buf, size_t len,
    GByteArray *text);

/*
 * uuencode_finish - the part is over: append what is held back to text
 * (a block cut short is listed as partial).  Feeding after this starts
 * a new line.
 */
void uuencode_finish(struct uuencode *uu, GByteArray *text);

/*
 * uuencode_take - move the files found so far, in order, to the end of
 * dst (struct message_attachment *, each g_new0 with g_malloc'd strings,
 * as msg_attachment_free() frees them).
 */
void uuencode_take(struct uuencode *uu, GPtrArray *dst);

/* uuencode_free - free *uu_r (and files not taken), set it to NULL;
 * NULL-safe */
void uuencode_free(struct uuencode **uu_r);

#endif /* GW_UUENCODE_H */
