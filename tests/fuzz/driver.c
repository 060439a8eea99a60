/*
 * driver.c - replay files through LLVMFuzzerTestOneInput without
 * libFuzzer, so the fuzz target builds and runs with gcc too (and in
 * `make check` over the samples).
 */
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
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
	}
	printf("replayed %d inputs\n", argc - 1);
	return 0;
}
