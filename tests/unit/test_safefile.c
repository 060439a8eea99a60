/*
 * test_safefile.c - the path rule (sshd's, msmtp's): safe trees, world-
 * and group-writable directories and files, the sticky bit, symbolic
 * links in and out of unsafe directories, link loops, relative paths, our
 * own private group, and (as root) other owners.  What conf makes of the
 * rule for its files, and the key files' checks, are in test_conf.c.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "safefile.h"
#include "tap.h"
#include "fixture.h"

#define DATA "[api]\n"

/* path_case - safefile_check_path(): GW_OK when want is NULL, else text */
static void
path_case(const char *name, const char *path, const char *what,
    const char *want)
{
	struct gw_error err;
	enum gw_status st;
	char tname[256];

	gw_error_clear(&err);
	st = safefile_check_path(path, what, &err);
	g_snprintf(tname, sizeof(tname), "path %s: status", name);
	if (want == NULL) {
		if (!tap_int(st, GW_OK, tname))
			printf("#   error: %s\n", err.text);
		return;
	}
	tap_int(st, GW_ECONFIG, tname);
	g_snprintf(tname, sizeof(tname), "path %s: text", name);
	fixture_err(err.text, want, tname);
}

/* writable_case - config path must fail for its directory dir (mode) */
static void
writable_case(const char *name, const char *path, const char *dir,
    const char *mode)
{
	char want[1024];

	g_snprintf(want, sizeof(want), "config %s: directory %s is writable "
	    "by group or others (mode %s); run chmod go-w %s, since whoever "
	    "can write it can redirect the API key", path, dir, mode, dir);
	path_case(name, path, "config", want);
}

/* test_relative - relative paths start at the working directory */
static void
test_relative(const char *safe, const char *ww)
{
	char *cwd;

	cwd = g_get_current_dir();
	if (chdir(safe) == 0) {
		path_case("relative", "c.conf", "config", NULL);
		path_case("relative with ..", "../safe/./c.conf", "config",
		    NULL);
		writable_case("relative into an unsafe directory",
		    "../ww/c.conf", ww, "0777");
		if (chdir(cwd) != 0)
			tap_ok(0, "chdir back: %s", g_strerror(errno));
	} else
		tap_ok(0, "chdir: %s", g_strerror(errno));
	g_free(cwd);
}

/*
 * test_owners - group write refused whatever the group (sshd's rule: our
 * own private group too); as root, files and directories owned by
 * another user
 */
static void
test_owners(const char *base, const char *gw_conf)
{
	char *other_dir, *other_conf, *owned;
	char want[1024], owner[64];
	struct passwd *pw;

	g_snprintf(want, sizeof(want), "config %s is writable by group or "
	    "others (mode 0664); run chmod go-w %s, since whoever can write "
	    "it can redirect the API key", gw_conf, gw_conf);
	if (chown(gw_conf, (uid_t)-1, getegid()) != 0)
		tap_ok(0, "chown to our own group: %s", g_strerror(errno));
	path_case("group-writable file, our own group", gw_conf, "config",
	    want);
	if (geteuid() != 0) {
		tap_ok(1, "path other owners # skip not running as root");
		return;
	}
	other_dir = fixture_mk(base, "other", NULL, 0755);
	other_conf = fixture_mk(base, "other/c.conf", DATA, 0644);
	owned = fixture_mk(base, "safe/owned.conf", DATA, 0644);
	if (chown(gw_conf, 0, 65534) != 0 ||
	    chown(other_dir, 65534, 65534) != 0 ||
	    chown(owned, 65534, 0) != 0)
		tap_ok(0, "chown: %s", g_strerror(errno));
	path_case("group-writable file, a shared group", gw_conf, "config",
	    want);
	pw = getpwuid(65534);
	if (pw != NULL)
		g_snprintf(owner, sizeof(owner), "%s, uid 65534", pw->pw_name);
	else
		g_snprintf(owner, sizeof(owner), "uid 65534");
	g_snprintf(want, sizeof(want), "config %s is owned by %s, not root; "
	    "run chown root %s, since whoever owns it can redirect the API "
	    "key", owned, owner, owned);
	path_case("file owned by another user", owned, "config", want);
	g_snprintf(want, sizeof(want), "ca_file %s: directory %s is owned by "
	    "%s, not root; run chown root %s, since whoever owns it can "
	    "redirect the API key", other_conf, other_dir, owner, other_dir);
	path_case("directory owned by another user", other_conf, "ca_file",
	    want);
	g_free(other_dir);
	g_free(other_conf);
	g_free(owned);
}

/*
 * test_paths - the sshd rule: the file and every directory above it owned
 * by root or us, writable by nobody else; links followed and checked
 */
static void
test_paths(const char *base)
{
	char *safe, *safe_conf, *ww, *ww_conf, *sticky, *sticky_conf;
	char *gw_conf, *link_out, *link_in, *loop1, *loop2;
	struct gw_error err;
	char want[1024];

	safe = fixture_mk(base, "safe", NULL, 0755);
	safe_conf = fixture_mk(base, "safe/c.conf", DATA, 0644);
	ww = fixture_mk(base, "ww", NULL, 0777);
	ww_conf = fixture_mk(base, "ww/c.conf", DATA, 0644);
	sticky = fixture_mk(base, "sticky", NULL, 01777);
	sticky_conf = fixture_mk(base, "sticky/c.conf", DATA, 0644);
	gw_conf = fixture_mk(base, "safe/gw.conf", DATA, 0664);
	link_out = g_build_filename(safe, "out.conf", NULL);
	link_in = g_build_filename(ww, "in.conf", NULL);
	loop1 = g_build_filename(safe, "loop1", NULL);
	loop2 = g_build_filename(safe, "loop2", NULL);
	if (symlink("../ww/c.conf", link_out) != 0 ||
	    symlink(safe_conf, link_in) != 0 || symlink("loop2", loop1) != 0 ||
	    symlink("loop1", loop2) != 0)
		tap_ok(0, "symlink: %s", g_strerror(errno));

	path_case("a safe tree", safe_conf, "config", NULL);
	path_case("the directory itself", safe, "config", NULL);
	path_case("/", "/", "config", NULL);

	writable_case("world-writable parent", ww_conf, ww, "0777");
	writable_case("sticky world-writable parent (not exempt)", sticky_conf,
	    sticky, "1777");
	/* A link is checked where it stands and where it leads. */
	writable_case("a safe link into an unsafe directory", link_out, ww,
	    "0777");
	writable_case("a link in an unsafe directory to a safe file", link_in,
	    ww, "0777");
	g_snprintf(want, sizeof(want), "cannot check config %s: ", loop1);
	gw_error_clear(&err);
	tap_int(safefile_check_path(loop1, "config", &err), GW_ECONFIG,
	    "path a link loop: status");
	tap_ok(strncmp(err.text, want, strlen(want)) == 0 &&
	    strstr(err.text, g_strerror(ELOOP)) != NULL,
	    "path a link loop: text (%s)", err.text);

	test_relative(safe, ww);
	test_owners(base, gw_conf);

	g_free(safe);
	g_free(safe_conf);
	g_free(ww);
	g_free(ww_conf);
	g_free(sticky);
	g_free(sticky_conf);
	g_free(gw_conf);
	g_free(link_out);
	g_free(link_in);
	g_free(loop1);
	g_free(loop2);
}

int
main(void)
{
	char *dir;

	/*
	 * The setup counts only when it fails: test_conf.c reports the
	 * same steps, and the suite's total stays that of one setup.
	 * Short: a path error names the paths two or three times.
	 */
	if ((dir = fixture_tmpdir("s")) == NULL)
		return tap_done();
	test_paths(dir);
	fixture_remove(dir);
	if (g_file_test(dir, G_FILE_TEST_EXISTS))
		tap_ok(0, "temporary directory %s removed", dir);
	g_free(dir);
	return tap_done();
}
