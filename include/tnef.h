/*
 * tnef.h - decode a TNEF container (winmail.dat, application/ms-tnef),
 * the way Outlook and Exchange wrap a "Rich Text" mail: the files it
 * holds, by their real names, and its body.
 *
 * Owns: libytnef (Debian's libytnef0).  No libytnef type leaves tnef.c.
 *
 * libytnef is run in a child process (fork).  Debian's libytnef 2.0
 * bounds each allocation (50 MB) and came through 1,500 mutated streams
 * under ASan here, but it printf()s its diagnostics ("ERROR: invalid
 * alloc size ...") to standard output, where -n prints the JSON; it is
 * C that parses hostile binary data, its own reads are not instrumented
 * by our sanitizer builds, and its earlier releases had a dozen heap
 * overflows (CVE-2017-9470..9474, 12141..12144, 2021-3403/3404).  So:
 * before the fork the attribute stream is checked here (signature, every
 * length and checksum, at most max_files attachments, since libytnef
 * walks its attachment list once per attribute), and DecompressRTF()
 * gets a padded copy of a checked header (it reads two bytes past a cut
 * stream).  The child runs with stdout and stderr on /dev/null, a CPU and
 * a wall-clock limit (TNEF_SECONDS) and, outside sanitizer builds, a
 * 2 GB address-space limit; it sends back what it found through a pipe,
 * and the parent reads a bounded number of bytes.  A crash, a limit hit
 * or an unfinished answer is a decoding failure: the caller then lists
 * the container as an ordinary attachment.
 *
 * The body: PR_BODY_HTML (HTML, in the PR_INTERNET_CPID charset); else
 * compressed RTF (PR_RTF_COMPRESSED) that encapsulates HTML; else the
 * plain PR_BODY (Outlook's own text rendering); else the text of the RTF
 * (rtf.h).  The body's bytes are made clean UTF-8 (charset.h) and cut at
 * max_body bytes.
 *
 * Used error codes: GW_EDATA (not TNEF, malformed, or libytnef failed),
 * GW_ETEMP (no pipe or no process for the decoder).
 *
 * Reentrancy: not reentrant (SIGCHLD's disposition is changed for the
 * duration of tnef_decode()); GMime must be initialised (charset.h).
 */
#ifndef GW_TNEF_H
#define GW_TNEF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "status.h"

#define TNEF_SECONDS	10	/* the decoder's CPU and wall-clock limit */
#define TNEF_NAME_MAX	1024	/* bytes kept of a file name */

struct tnef_file {
	char *name;		/* UTF-8; the long name, else the 8.3 one;
				 * "" when it has none */
	char *content_type;	/* guessed from the name (lowercase), else
				 * "application/octet-stream" */
	uint64_t size;		/* bytes */
};

struct tnef {
	GPtrArray *files;	/* of struct tnef_file *, in order; never
				 * NULL */
	char *text;		/* the body as clean UTF-8 text, or NULL */
	char *html;		/* the body as HTML (clean UTF-8, not
				 * sanitised), or NULL; never both */
	bool cut;		/* the body was cut at max_body */
};

/*
 * tnef_is_tnef - is a part of this type (lowercase "type/subtype", or
 * NULL) and file name (or NULL) a TNEF container: application/ms-tnef,
 * application/vnd.ms-tnef, or a file named winmail.dat in any case
 */
bool tnef_is_tnef(const char *content_type, const char *filename);

/*
 * tnef_check - is buf (len bytes) a TNEF stream whose every attribute
 * length and checksum is right, with at most max_files attachments
 */
bool tnef_check(const unsigned char *buf, size_t len, int max_files);

/*
 * tnef_decode - decode len bytes of buf (a winmail.dat); *tnef_r is new
 * (free with tnef_free()), NULL on failure.  Bodies are cut at max_body
 * bytes, at most max_files files are listed.
 */
enum gw_status tnef_decode(const unsigned char *buf, size_t len,
    size_t max_body, int max_files, struct tnef **tnef_r,
    struct gw_error *err);

/* tnef_free - free *tnef_r and set it to NULL; NULL-safe */
void tnef_free(struct tnef **tnef_r);

#endif /* GW_TNEF_H */
