/*
 * rtf.h - the text of an RTF document, or the HTML it encapsulates.
 *
 * Pure: RTF bytes in, clean UTF-8 out.  Debian has no RTF reading library
 * for C (unrtf is a program), so this is a small, conservative reader of
 * the subset Outlook writes into a TNEF body (PR_RTF_COMPRESSED, after
 * libytnef's DecompressRTF):
 *  - plain RTF becomes text: groups such as \fonttbl, \colortbl,
 *    \stylesheet, \info, \pict and every {\*\...} destination are
 *    dropped; \par, \line, \row and \page become newlines, \tab and \cell
 *    tabs; \'hh is a byte in the \ansicpg code page (Windows-1252 by
 *    default), \uN a Unicode character (with \ucN replacement bytes
 *    skipped); \bin data is skipped.  Font charsets (\fcharset) are not
 *    followed.
 *  - RTF that encapsulates HTML (\fromhtml1, [MS-OXRTFEX]) becomes that
 *    HTML: the text of {\*\htmltag} groups is kept and the RTF-only runs
 *    between \htmlrtf and \htmlrtf0 are dropped.
 *
 * Bounds: one pass over the input; groups deeper than RTF_MAX_DEPTH are
 * dropped whole; control words longer than 32 letters are cut; the output
 * stops at cap bytes.
 *
 * Used error codes: none (not RTF is NULL).
 * Reentrancy: reentrant; GMime must be initialised for its charset tables
 * (charset.h).
 */
#ifndef GW_RTF_H
#define GW_RTF_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

#define RTF_MAX_DEPTH	256	/* nested groups read */

/*
 * rtf_convert - len bytes of RTF as clean UTF-8 (new GString, see
 * charset_normalize()): the encapsulated HTML when *html_r is set, else
 * the text, trimmed of blank lines at both ends; at most cap bytes, cut
 * on a character boundary (*cut_r set, never cleared).  NULL when s does
 * not open with "{\rtf".
 */
GString *rtf_convert(const char *s, size_t len, size_t cap, bool *html_r,
    bool *cut_r);

#endif /* GW_RTF_H */
