/*
 * fixture.h - files and directories for the unit tests that need real
 * ones (test_conf.c, test_safefile.c), in a place that passes the path
 * rule, plus the comparison of a path error's text.
 *
 * Header-only like tap.h: each test_<module>.c is one program.  Include
 * it after tap.h.
 */
#ifndef GW_FIXTURE_H
#define GW_FIXTURE_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "safefile.h"
#include "status.h"

/* fixture_write - create path with data and mode; 0 on success */
__attribute__((unused)) static int
fixture_write(const char *path, const char *data, size_t len, mode_t mode)
{
	FILE *fp;

	fp = fopen(path, "w");
	if (fp == NULL)
		return -1;
	if (len > 0 && fwrite(data, 1, len, fp) != len) {
		fclose(fp);
		return -1;
	}
	if (fclose(fp) != 0)
		return -1;
	return chmod(path, mode);
}

/*
 * fixture_mk - a directory (data NULL) or a file holding data under base
 * with mode; the new path.  A failure is a failed test point.
 */
__attribute__((unused)) static char *
fixture_mk(const char *base, const char *rel, const char *data, mode_t mode)
{
	char *path = g_build_filename(base, rel, NULL);

	if (data == NULL) {
		if (g_mkdir(path, 0700) != 0 || chmod(path, mode) != 0)
			tap_ok(0, "mkdir %s: %s", path, g_strerror(errno));
	} else if (fixture_write(path, data, strlen(data), mode) != 0)
		tap_ok(0, "write %s: %s", path, g_strerror(errno));
	return path;
}

/*
 * fixture_err - err's text against want cut to what struct gw_error
 * holds: a long path pushes the end of a path error out of the fixed
 * buffer
 */
__attribute__((unused)) static int
fixture_err(const char *got, const char *want, const char *name)
{
	char cut[GW_ERROR_TEXT_MAX];

	g_strlcpy(cut, want, sizeof(cut));
	return tap_str(got, cut, name);
}

/* fixture_remove - path and everything under it (not following links) */
__attribute__((unused)) static void
fixture_remove(const char *path)
{
	struct stat st;
	const char *name;
	char *sub;
	GDir *d;

	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		(void)chmod(path, 0700);
		d = g_dir_open(path, 0, NULL);
		while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
			sub = g_build_filename(path, name, NULL);
			fixture_remove(sub);
			g_free(sub);
		}
		if (d != NULL)
			g_dir_close(d);
		(void)g_rmdir(path);
	} else
		(void)g_remove(path);
}

/*
 * fixture_safe_base - a directory for the test files that passes the path
 * rule itself (/tmp does not): $M2N_TMP_BASE, build/tmp,
 * /run/mail2note-tests as root, ~/.cache/mail2note-tests; as
 * tests/tmpbase.sh.  New string, or NULL when none qualifies.
 */
__attribute__((unused)) static char *
fixture_safe_base(void)
{
	const char *home = getenv("HOME");
	char *cand[4], *cwd, *parent, *found = NULL;
	struct gw_error err;
	size_t i;

	cwd = g_get_current_dir();
	cand[0] = g_strdup(getenv("M2N_TMP_BASE"));
	cand[1] = g_build_filename(cwd, "build", "tmp", NULL);
	cand[2] = geteuid() == 0 ? g_strdup("/run/mail2note-tests") : NULL;
	cand[3] = home != NULL ? g_build_filename(home, ".cache",
	    "mail2note-tests", NULL) : NULL;
	for (i = 0; i < G_N_ELEMENTS(cand) && found == NULL; i++) {
		if (cand[i] == NULL || cand[i][0] != '/')
			continue;
		parent = g_path_get_dirname(cand[i]);
		/* Never create anything in an unsafe place. */
		if (safefile_check_path(parent, "test directory", &err) ==
		    GW_OK)
			(void)g_mkdir(cand[i], 0755);
		if (safefile_check_path(cand[i], "test directory", &err) ==
		    GW_OK && access(cand[i], W_OK) == 0)
			found = g_strdup(cand[i]);
		g_free(parent);
	}
	for (i = 0; i < G_N_ELEMENTS(cand); i++)
		g_free(cand[i]);
	g_free(cwd);
	return found;
}

/*
 * fixture_tmpdir - a new directory NAME.XXXXXX in fixture_safe_base();
 * NULL, after a failed test point, when there is none.  New string.
 */
__attribute__((unused)) static char *
fixture_tmpdir(const char *name)
{
	char *base, *dir = NULL;

	base = fixture_safe_base();
	if (base != NULL) {
		dir = g_strdup_printf("%s/%s.XXXXXX", base, name);
		g_free(base);
		if (g_mkdtemp(dir) == NULL)
			g_clear_pointer(&dir, g_free);
	}
	if (dir == NULL)
		tap_ok(0, "a safe temporary directory: %s", g_strerror(errno));
	return dir;
}

/*
 * fixture_finish - remove dir (from fixture_tmpdir()) and what is left in
 * it, check that it is gone, free it; main()'s return value
 */
__attribute__((unused)) static int
fixture_finish(char *dir)
{
	fixture_remove(dir);
	tap_ok(!g_file_test(dir, G_FILE_TEST_EXISTS),
	    "temporary directory removed");
	g_free(dir);
	return tap_done();
}

#endif /* GW_FIXTURE_H */
