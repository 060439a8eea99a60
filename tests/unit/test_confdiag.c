/*
 * test_confdiag.c - the hints for the administrator: quoted values and
 * inline comments told apart from values that merely hold a quote or a
 * '#', users named by name and uid, the runuser command, and the line
 * GKeyFile could not parse named by number, never echoed.
 */
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "confdiag.h"
#include "tap.h"

#define QUOTED "the value is in quotes, but values are written without " \
	"them (remove the quotes)"
#define COMMENT "the value ends in a '# ...' comment, but a comment must " \
	"be on a line of its own (move it to the line above)"

static const struct {
	const char *name;
	const char *value;
	const char *want;	/* NULL: no hint */
} value_cases[] = {
	{ "plain URL", "https://helpdesk.example.com", NULL },
	{ "double quotes", "\"https://helpdesk.example.com\"", QUOTED },
	{ "single quotes", "'/etc/mail2note/api.key'", QUOTED },
	{ "quotes and a comment", "\"x\" # y", QUOTED },
	{ "comment after a space", "20 # seconds", COMMENT },
	{ "comment after a tab", "extension;subject\t#both", COMMENT },
	{ "a '#' inside a word", "\\[#(?<id>x)\\]", NULL },
	{ "a fragment is no comment", "https://x.example/#frag", NULL },
	{ "one quote character", "\"", NULL },
	{ "an opening quote only", "\"abc", NULL },
	{ "a quote inside", "a\"b\"", NULL },
	{ "empty", "", NULL },
};

int
main(void)
{
	struct gw_error err;
	struct passwd *pw;
	char buf[128], want[160];
	const char *data;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(value_cases); i++)
		tap_str(confdiag_value(value_cases[i].value),
		    value_cases[i].want, value_cases[i].name);

	pw = getpwuid(0);
	confdiag_user(0, buf, sizeof(buf));
	g_snprintf(want, sizeof(want), "%s (uid 0)", pw != NULL ?
	    pw->pw_name : "root");
	tap_str(buf, want, "user: root by name and uid");
	confdiag_user(4242424, buf, sizeof(buf));
	tap_str(getpwuid(4242424) == NULL ? buf : "uid 4242424",
	    "uid 4242424", "user: no such user, the uid alone");
	confdiag_runuser(0, buf, sizeof(buf));
	tap_str(buf, "runuser -u " CONFDIAG_USER " -- mail2note --check-config",
	    "runuser: root means the conventional account");
	confdiag_runuser((uid_t)-1, buf, sizeof(buf));
	tap_str(buf, "runuser -u " CONFDIAG_USER " -- mail2note --check-config",
	    "runuser: unknown owner");
	pw = getpwuid(65534);
	if (pw != NULL) {
		confdiag_runuser(65534, buf, sizeof(buf));
		g_snprintf(want, sizeof(want), "runuser -u %s -- mail2note "
		    "--check-config", pw->pw_name);
		tap_str(buf, want, "runuser: the owner's name");
	} else
		tap_ok(1, "runuser: the owner's name # skip no uid 65534");

	data = "[api]\nbase_url = x\nixk_secret_pasted\n";
	gw_error_clear(&err);
	tap_int(confdiag_syntax("c.conf", data, strlen(data), "GLib says",
	    &err), GW_ECONFIG, "syntax: GW_ECONFIG");
	tap_str(err.text, "config c.conf: line 3 is not 'key = value', a "
	    "[group] or a # comment", "syntax: the line by number");
	tap_ok(strstr(err.text, "ixk_") == NULL, "syntax: never echoed");
	data = "[api\n";
	tap_int(confdiag_syntax("c.conf", data, strlen(data), "x", &err),
	    GW_ECONFIG, "syntax: bad group: GW_ECONFIG");
	tap_str(err.text, "config c.conf: line 1 is not a valid [group] line",
	    "syntax: bad group");
	data = "[api]\nk = v\n";
	(void)confdiag_syntax("c.conf", data, strlen(data),
	    "GLib\nsays \033[1m", &err);
	tap_str(err.text, "config c.conf: GLib?says ?[1m",
	    "syntax: otherwise GLib's reason, sanitised");
	return tap_done();
}
