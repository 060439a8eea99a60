/*
 * confdiag.h - what the administrator is told about a configuration that
 * does not work: the line GKeyFile could not parse, a value written with
 * quotes or a trailing "# comment", and who a file belongs to.
 *
 * Owns: the wording of those hints, so conf, safefile and main say the
 * same thing the same way.  Pure but for getpwuid()/getpwnam(): no file
 * is opened here.
 *
 * Used error codes: GW_ECONFIG (confdiag_syntax).
 *
 * Reentrancy: getpwuid()/getpwnam() use static storage; single-threaded
 * callers only.
 */
#ifndef GW_CONFDIAG_H
#define GW_CONFDIAG_H

#include <stddef.h>
#include <sys/types.h>

#include "status.h"

/* The account README and mail2note(8) tell the administrator to create. */
#define CONFDIAG_USER "mail2note"

/*
 * confdiag_syntax - the error for a file GKeyFile could not parse (why is
 * GLib's text): the number of the first line that is neither a [group],
 * a "key = value" under a group, a comment nor blank.  The line itself is
 * never echoed: it may be a key pasted into the wrong file.
 */
enum gw_status confdiag_syntax(const char *name, const char *data,
    size_t len, const char *why, struct gw_error *err);

/*
 * confdiag_value - a hint for a value that looks like it was written
 * the way other formats allow but a GLib key file does not: in quotes
 * ("..." or '...'), or followed by an inline comment (" # ...").  NULL
 * when the value looks plain.  Static text.
 */
const char *confdiag_value(const char *value);

/*
 * confdiag_user - "mail2note (uid 998)", "root (uid 0)" or "uid 4242"
 * (no such user) into buf
 */
void confdiag_user(uid_t uid, char *buf, size_t size);

/*
 * confdiag_runuser - the command that runs mail2note --check-config as
 * the user who owns the files, into buf: "runuser -u NAME -- mail2note
 * --check-config"; NAME is uid's name, or CONFDIAG_USER when uid is root
 * or has no name (-1: CONFDIAG_USER)
 */
void confdiag_runuser(uid_t uid, char *buf, size_t size);

#endif /* GW_CONFDIAG_H */
