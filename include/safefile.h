/*
 * safefile.h - the files that hold or steer secrets: whether a file may
 * be trusted, and the reading of the secret files.
 *
 * Owns: the path rule that sshd and msmtp use (safefile_check_path()) for
 * every file that decides where the API key goes, or what it is: the
 * config, ca_file, key_file and address_key_file; the ownership and
 * permission check of the secret files, their capped read
 * (safefile_read_secret()) and the line a one-secret file holds
 * (safefile_secret_line()); and the capped read of the config file itself
 * (safefile_read_file()).  conf names the files (struct safefile_secret)
 * and decides what their bytes mean; secret keeps the keys.
 *
 * Used error codes: GW_ECONFIG only, for every function.
 *
 * Reentrancy: none.  Error texts name owners with getpwuid(), whose
 * result is process-wide.
 */
#ifndef GW_SAFEFILE_H
#define GW_SAFEFILE_H

#include <stddef.h>

#include "status.h"

/* The largest secret file read: a key, or a few keys one a line. */
#define SAFEFILE_SECRET_MAX 4096

/* What a secret file is called in errors: the key's name and contents. */
struct safefile_secret {
	const char *label;	/* "key file", "address key file" */
	const char *key;	/* the config key that names it */
	const char *holds;	/* "the key", "the keys" */
};

/*
 * safefile_check_path - the rule sshd and msmtp use for files that decide
 * where the key goes: path and every directory above it owned by root or
 * the effective uid, and not writable by group or others, whatever the
 * group (sshd's safe_path(): a group that holds only us today may hold
 * somebody tomorrow, and the sticky bit does not stop a writer from
 * creating a file that we would then read).  Symbolic links are followed one
 * component at a time and every directory on the way is checked; a
 * relative path starts at the working directory.  what names the file in
 * the error ("config", "ca_file", ...); "key file" and "address key
 * file" also choose what the error says an attacker could do.
 * Used error codes: GW_ECONFIG.
 */
enum gw_status safefile_check_path(const char *path, const char *what,
    struct gw_error *err);

/*
 * safefile_private_dir - dir, a [delivery] directory named what in errors
 * ("state_dir", "quarantine_dir"), must be absolute, a directory (not a
 * link), owned by the effective uid with no group or other bits, on a
 * safe path (safefile_check_path()).  When missing it is created 0700,
 * but only where nobody else could have made it first: in a parent that
 * passes safefile_check_path().  Used error codes: GW_ECONFIG.
 */
enum gw_status safefile_private_dir(const char *dir, const char *what,
    struct gw_error *err);

/*
 * safefile_read_file - the whole regular file at path, on a safe path
 * (safefile_check_path() with what), at most max bytes.  *data_r is new,
 * NUL-terminated, *len_r bytes long, free with g_free(); NULL on failure.
 * Errors name the file "what path": "cannot read config PATH: ...",
 * "config PATH is larger than N bytes".  Used error codes: GW_ECONFIG.
 */
enum gw_status safefile_read_file(const char *path, const char *what,
    size_t max, char **data_r, size_t *len_r, struct gw_error *err);

/*
 * safefile_read_secret - the secret file at path into buf (size bytes,
 * at least SAFEFILE_SECRET_MAX + 1): opened without following a link, a
 * regular file owned by the effective uid with no group or other bits
 * (msmtp's CONF_EINSECURE), on a safe path (safefile_check_path() with
 * f->label), at most SAFEFILE_SECRET_MAX bytes.  *len_r is the number of
 * bytes read (0 on failure); buf is not NUL-terminated.  f names the file
 * in errors.  The caller wipes buf, whatever the result: it may hold part
 * of the secret even on failure.  Used error codes: GW_ECONFIG.
 */
enum gw_status safefile_read_secret(const struct safefile_secret *f,
    const char *path, char *buf, size_t size, size_t *len_r,
    struct gw_error *err);

/*
 * safefile_secret_line - the single line of a one-secret file read by
 * safefile_read_secret(): the one that is neither blank nor a # comment,
 * as it stands (*line_r points into buf, *len_r bytes, no newline).  More
 * than one such line, or none, is an error naming f.
 * Used error codes: GW_ECONFIG.
 */
enum gw_status safefile_secret_line(const struct safefile_secret *f,
    const char *path, const char *buf, size_t len, const char **line_r,
    size_t *len_r, struct gw_error *err);

#endif /* GW_SAFEFILE_H */
