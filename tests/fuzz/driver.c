/*
 * driver.c - replay files through LLVMFuzzerTestOneInput without
 * libFuzzer, so the fuzz target builds and runs with gcc too (and in
 * `make check` over the samples).
 *
 * usage: fuzz_X [-v] FILE...
 * -v prints "done FILE" after each input, so that a caller can tell which
 * input a sanitizer report belongs to: the first one not done.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
	int i;
	int first = 1;
	int verbose = 0;

	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		verbose = 1;
		first = 2;
	}
	for (i = first; i < argc; i++) {
		gchar *buf = NULL;
		gsize len = 0;
		GError *gerr = NULL;

		if (!g_file_get_contents(argv[i], &buf, &len, &gerr)) {
			fprintf(stderr, "%s\n", gerr->message);
			g_error_free(gerr);
			return 1;
		}
		(void)LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
		g_free(buf);
		if (verbose) {
			printf("done %s\n", argv[i]);
			fflush(stdout);
		}
	}
	printf("replayed %d inputs\n", argc - first);
	return 0;
}
