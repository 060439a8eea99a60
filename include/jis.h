/*
 * jis.h - ISO-2022-JP read as Japanese mail clients read it: CP50221
 * (ISO-2022-JP-MS), the superset with the vendor characters (NEC row 13:
 * circled numbers, Roman numerals, ㈱ ㍉...; the NEC-selected IBM
 * extensions of rows 89-92, such as 髙 and 﨑), half-width katakana
 * (ESC ( I, or SO/SI) and JIS X 0212 with the IBM extensions and the user
 * area (ESC $ ( D).  glibc has no converter for it, and its ISO-2022-JP
 * stops at each vendor character.
 *
 * Pure: bytes in, new UTF-8 out.  The escapes are a small state machine
 * here; the character tables are glibc's, through iconv: EUC-JP for JIS
 * X 0208 (the same table as glibc's ISO-2022-JP), CP932 for the vendor
 * rows, EUC-JP-MS for JIS X 0212.  charset.c uses it for bodies when
 * glibc's ISO-2022-JP finds an error; message_header.c for RFC 2047 words
 * that GMime would turn into '?'.
 *
 * Used error codes: none; nothing here fails (GLib aborts on OOM).
 *
 * Reentrancy: no global state.
 */
#ifndef GW_JIS_H
#define GW_JIS_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

/*
 * jis_label - is charset (a MIME charset label, any case) one read as
 * CP50221: ISO-2022-JP, csISO2022JP, ISO-2022-JP-MS, CP50220-CP50222.
 * ISO-2022-JP-1/2/3 are not: glibc has converters for them.
 */
bool jis_label(const char *charset);

/*
 * jis_to_utf8 - len bytes of ISO-2022-JP as CP50221 to UTF-8 (new
 * GString, never NULL).  A byte over 0x7f, an unknown escape, a byte
 * that cannot start or end a character of the current set, and a code
 * point no table holds become U+FFFD, counted in *errors_r; the rest of
 * the text goes on.  Control characters and space pass in any set (as
 * glibc does); a character cut by the end of the input is dropped.
 */
GString *jis_to_utf8(const char *s, size_t len, size_t *errors_r);

/*
 * jis_unread - does len bytes of UTF-8 that glibc's ISO-2022-JP converter
 * wrote hold ESC, SO or SI: an escape it does not know (ESC ( I, ESC $ ( D)
 * or a shift, passed through unread as a control character
 */
bool jis_unread(const char *s, size_t len);

/*
 * jis_header - raw (an undecoded header value) with each run of RFC 2047
 * words in a jis_label() charset that glibc's ISO-2022-JP cannot convert
 * cleanly (an error, or jis_unread()) re-encoded as one UTF-8 word
 * ("=?UTF-8?Q?...?=", of any length) that GMime decodes; new string, or
 * NULL when no word needed it.  Adjacent words (linear white space between them) are
 * decoded together, as RFC 2047 lets a character's escapes span them.
 */
char *jis_header(const char *raw);

#endif /* GW_JIS_H */
