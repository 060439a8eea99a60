/*
 * charset.h - bytes in a declared (or no, or a wrong) charset to clean
 * UTF-8, and the text clean-ups that go with it.
 *
 * Pure: bytes in, new UTF-8 out.  Owns: uchardet, the Windows-1252 table,
 * the charset supersets that mailers really mean by a label, format=flowed
 * (RFC 3676).  message.c hands it the decoded bytes of a text part or of a
 * header; no GMime type crosses this interface, but charset labels are
 * read through GMime's alias tables (g_mime_charset_canon_name()), so that
 * a label means the same here as to the MIME parser.
 *
 * charset_to_utf8() gives mostly UTF-8: text taken as UTF-8 may keep a
 * few stray bytes, which charset_normalize() then marks as U+FFFD.  The
 * results of charset_normalize(), charset_body(), charset_unflow() (of
 * valid input) and charset_line() are valid UTF-8 whatever the input.
 *
 * Used error codes: none; nothing here fails (GLib aborts on OOM).
 *
 * uchardet is loaded with dlopen(3) (CHARSET_UCHARDET_SO) the first time
 * a text needs guessing, not linked: it is C++, and linking it put
 * libstdc++ in every start of the program.  If it cannot be loaded,
 * nothing is guessed (Windows-1252, as when uchardet has no answer).
 *
 * Reentrancy: one global, uchardet's calls, set on first use (one
 * thread); GMime must have been initialised
 * (message_init()) for its charset tables.
 */
#ifndef GW_CHARSET_H
#define GW_CHARSET_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

/* uchardet's library, by its SONAME (libuchardet0 in Debian) */
#define CHARSET_UCHARDET_SO	"libuchardet.so.0"

/*
 * charset_to_utf8 - len bytes of s in charset (NULL or "": undeclared) to
 * UTF-8, not yet normalised (new GString).  Mail often lies about its
 * charset:
 *  - undeclared, or labelled ASCII, Latin-1, Windows-1252 or UTF-8: taken
 *    as UTF-8 when no byte is invalid or valid multi-byte sequences
 *    outnumber invalid bytes; else what uchardet detects, when that
 *    converts without an error; else Windows-1252 (as browsers do);
 *  - any other label: taken as UTF-8 when it is valid UTF-8 with at least
 *    one multi-byte sequence; else converted by iconv, an invalid byte
 *    as U+FFFD.  GB2312, EUC-KR, Shift_JIS, TIS-620 and KOI8-R are read
 *    as their supersets (GB18030, CP949, CP932, CP874, KOI8-U).
 *    ISO-2022-JP (and CP50220-2, ISO-2022-JP-MS) is read by glibc when it
 *    reads it cleanly, else as CP50221 (jis.h: vendor characters such
 *    as ①, half-width katakana, JIS X 0212).  An unknown label, or
 *    mostly invalid bytes, count as undeclared.
 * An incomplete sequence at the end (a cut body) is dropped.
 */
GString *charset_to_utf8(const char *s, size_t len, const char *charset);

/*
 * charset_normalize - len bytes of mostly UTF-8 made clean (new GString):
 * invalid sequences, NUL and control characters other than tab and
 * newline become U+FFFD, CRLF and lone CR become LF, a leading BOM goes.
 */
GString *charset_normalize(const char *s, size_t len);

/* charset_body - charset_to_utf8() then charset_normalize() (new) */
GString *charset_body(const char *s, size_t len, const char *charset);

/*
 * charset_text_ratio - at most how many input bytes (2 or 4) charset_text()
 * needs per byte of output for text in charset (NULL: undeclared) and
 * format (NULL: fixed): reading cap times that many bytes gives the
 * first cap bytes of output
 */
size_t charset_text_ratio(const char *charset, const char *format);

/*
 * charset_text - the decoded bytes of a text body part (its Content-Type
 * parameters charset, format and delsp; each NULL when absent) as clean
 * UTF-8 (new GString): charset_body(), then charset_unflow() when format
 * is "flowed", delsp "yes" removing the space of a soft break; cut at cap
 * bytes on a character boundary, *cut_r set when that left something out
 * (never cleared).
 */
GString *charset_text(const char *s, size_t len, const char *charset,
    const char *format, const char *delsp, size_t cap, bool *cut_r);

/*
 * charset_text_take - charset_text() of buf (g_malloc'd, len bytes and
 * room for one more), which it takes: text taken as UTF-8 is cleaned in
 * buf itself, which becomes the result, unless a byte needs more room
 * than it had; otherwise buf is freed.  Same result as charset_text().
 */
GString *charset_text_take(char *buf, size_t len, const char *charset,
    const char *format, const char *delsp, size_t cap, bool *cut_r);

/*
 * charset_unflow - undo RFC 3676 format=flowed on normalised text (new
 * GString): a line ending in a space goes on in the next line of the same
 * quote depth (delsp: that space goes too), except a "-- " signature
 * line; space-stuffing is removed; quote marks become ">" per level (at
 * most 16) and one space.
 */
GString *charset_unflow(const char *s, size_t len, bool delsp);

/*
 * charset_line - a header value (NUL-terminated, any bytes) made one
 * clean line: valid UTF-8, line breaks removed, other control characters
 * as spaces, trimmed, cut at max bytes on a character boundary.  New
 * string, or NULL when s is NULL or nothing is left.
 */
char *charset_line(const char *s, size_t max);

/*
 * charset_detect - the charset uchardet names for undeclared 8-bit bytes,
 * written into found (size bytes) and returned; NULL when there are fewer
 * than 8 bytes over 0x7f, when uchardet has no answer, or when it names a
 * Western charset (ASCII, UTF-8, ISO 8859-1/15, Windows-1252: those are
 * read as Windows-1252 anyway).
 */
const char *charset_detect(const char *s, size_t len, char *found,
    size_t size);

/*
 * charset_codepage - the charset name of a Windows code page number (an
 * RTF \ansicpg, a TNEF PR_INTERNET_CPID): "windows-1252" for 1252,
 * "utf-8" for 65001, "shift_jis" for 932 and so on, else "CP<n>" as
 * iconv spells the rest; written into buf (size bytes) and returned.
 */
const char *charset_codepage(unsigned long cp, char *buf, size_t size);

/* charset_utf8_fit - the longest prefix of s (len bytes) of at most max
 * bytes that does not end inside a UTF-8 sequence: its length */
size_t charset_utf8_fit(const char *s, size_t len, size_t max);

#endif /* GW_CHARSET_H */
