/*
 * tap.h - a minimal TAP producer for the unit tests (prove reads it).
 *
 * Header-only on purpose: each test_<module>.c is one program.
 */
#ifndef GW_TAP_H
#define GW_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n;
static int tap_failed;

/* tap_ok - one test point; returns cond */
__attribute__((format(printf, 2, 3), unused)) static int
tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	return cond;
}

/* tap_str - compare strings (NULL-safe); print got/want on failure */
__attribute__((unused)) static int
tap_str(const char *got, const char *want, const char *name)
{
	int same;

	if (got == NULL || want == NULL)
		same = got == want;
	else
		same = strcmp(got, want) == 0;
	tap_ok(same, "%s", name);
	if (!same) {
		printf("#   got:  \"%s\"\n", got ? got : "(null)");
		printf("#   want: \"%s\"\n", want ? want : "(null)");
	}
	return same;
}

/* tap_int - compare integers; print got/want on failure */
__attribute__((unused)) static int
tap_int(long long got, long long want, const char *name)
{
	tap_ok(got == want, "%s", name);
	if (got != want)
		printf("#   got: %lld\n#   want: %lld\n", got, want);
	return got == want;
}

/* tap_done - print the plan; the return value is main()'s */
__attribute__((unused)) static int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif /* GW_TAP_H */
