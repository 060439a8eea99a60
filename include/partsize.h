/*
 * partsize.h - the decoded size of a base64 attachment, counted on its
 * encoded bytes without decoding them.
 *
 * A note lists each attachment with its size.  Decoding every attachment
 * only to count its bytes cost a third of the time of a large mail; the
 * size follows from the encoded text alone.  The count is GMime's own
 * decoder's (g_mime_encoding_base64_decode_step(), as
 * g_mime_data_wrapper_write_to_stream() runs it): bytes outside the
 * base64 alphabet (line ends, white space, garbage) are skipped, every
 * four alphabet characters make three bytes, the first '=' ends the data
 * (two or three characters before it make one or two more bytes), and
 * one to three characters left over at the end without '=' make nothing.
 *
 * Pure: no allocation, no I/O.  Reentrancy: no global state.
 */
#ifndef GW_PARTSIZE_H
#define GW_PARTSIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A base64 count under way. */
struct partsize_b64 {
	uint64_t chars;		/* alphabet characters before the first '=' */
	bool end;		/* the first '=' was seen */
};

/* partsize_b64_init - a count of nothing yet */
void partsize_b64_init(struct partsize_b64 *pb);

/* partsize_b64_feed - count the next len encoded bytes (any split) */
void partsize_b64_feed(struct partsize_b64 *pb, const char *buf, size_t len);

/* partsize_b64_size - the decoded size of what was fed */
uint64_t partsize_b64_size(const struct partsize_b64 *pb);

#endif /* GW_PARTSIZE_H */
