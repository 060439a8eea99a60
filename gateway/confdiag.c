/*
 * confdiag.c - hints for the administrator: the line GKeyFile could not
 * parse, values written in quotes or with a trailing comment, and the
 * names of the users a file belongs to.
 *
 * Split out of conf.c so that the table-driven reading stays one concern;
 * safefile and main use the user names too.
 */
#include <pwd.h>
#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include "confdiag.h"
#include "log.h"

/* confdiag_syntax - the error for a file GKeyFile could not parse */
enum gw_status
confdiag_syntax(const char *name, const char *data, size_t len,
    const char *why, struct gw_error *err)
{
	const char *p = data, *end = data + len, *eol, *s, *e;
	unsigned line = 0;
	bool in_group = false;
	char *clean;
	enum gw_status status;

	for (; p < end; p = eol + 1) {
		line++;
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		for (s = p; s < eol && g_ascii_isspace(*s); s++)
			;
		for (e = eol; e > s && g_ascii_isspace(e[-1]); e--)
			;
		if (s == e || *s == '#')
			continue;
		if (*s == '[') {
			/* As GLib: the group ends at the first ']'. */
			if (memchr(s, ']', (size_t)(e - s)) != e - 1)
				return gw_error_set(err, GW_ECONFIG, "config "
				    "%s: line %u is not a valid [group] line",
				    name, line);
			in_group = true;
			continue;
		}
		if (memchr(s, '=', (size_t)(e - s)) == NULL)
			return gw_error_set(err, GW_ECONFIG, "config %s: line "
			    "%u is not 'key = value', a [group] or a # "
			    "comment", name, line);
		if (!in_group)
			return gw_error_set(err, GW_ECONFIG, "config %s: line "
			    "%u: 'key = value' before the first [group] (put "
			    "it under [api], [ticket], [message], "
			    "[sender], [delivery] or [log])", name, line);
	}
	clean = log_sanitize(why, 120);
	status = gw_error_set(err, GW_ECONFIG, "config %s: %s", name, clean);
	g_free(clean);
	return status;
}

/* confdiag_value - a hint for a quoted value or a trailing comment */
const char *
confdiag_value(const char *value)
{
	size_t len = strlen(value);
	const char *p;

	/*
	 * GKeyFile takes everything after '=' literally: quotes are part of
	 * the value, and '#' starts a comment only at the start of a line.
	 */
	if (len >= 2 && (value[0] == '"' || value[0] == '\'') &&
	    strchr(value + 1, value[0]) != NULL)
		return "the value is in quotes, but values are written "
		    "without them (remove the quotes)";
	for (p = value; *p != '\0'; p++)
		if (p[0] == '#' && p > value && (p[-1] == ' ' ||
		    p[-1] == '\t'))
			return "the value ends in a '# ...' comment, but a "
			    "comment must be on a line of its own (move it "
			    "to the line above)";
	return NULL;
}

/* confdiag_user - "name (uid N)" or "uid N" */
void
confdiag_user(uid_t uid, char *buf, size_t size)
{
	struct passwd *pw = getpwuid(uid);

	if (pw != NULL && pw->pw_name != NULL && pw->pw_name[0] != '\0')
		(void)g_snprintf(buf, size, "%s (uid %u)", pw->pw_name,
		    (unsigned)uid);
	else
		(void)g_snprintf(buf, size, "uid %u", (unsigned)uid);
}

/* confdiag_runuser - "runuser -u NAME -- mail2note --check-config" */
void
confdiag_runuser(uid_t uid, char *buf, size_t size)
{
	struct passwd *pw = NULL;
	const char *name = CONFDIAG_USER;

	if (uid != (uid_t)-1 && uid != 0)
		pw = getpwuid(uid);
	if (pw != NULL && pw->pw_name != NULL && pw->pw_name[0] != '\0')
		name = pw->pw_name;
	(void)g_snprintf(buf, size, "runuser -u %s -- mail2note "
	    "--check-config", name);
}
