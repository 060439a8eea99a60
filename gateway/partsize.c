/*
 * partsize.c - the decoded size of a base64 attachment from its encoded
 * bytes (see partsize.h for the rules, which are GMime's decoder's).
 *
 * memchr() finds the '=' that ends the data; before it, the alphabet
 * characters are summed through a table, with no branch per byte.
 */
#include <string.h>

#include "partsize.h"

/* 1 for the 64 characters of the base64 alphabet (RFC 2045), else 0 */
static const unsigned char partsize_b64_alphabet[256] = {
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['+'] = 1, ['/'] = 1,
};

/* partsize_b64_init - a count of nothing yet */
void
partsize_b64_init(struct partsize_b64 *pb)
{
	pb->chars = 0;
	pb->end = false;
}

/* partsize_b64_feed - count the next len encoded bytes */
void
partsize_b64_feed(struct partsize_b64 *pb, const char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)buf;
	const char *eq;
	uint64_t n = 0;
	size_t i;

	if (pb->end || len == 0)
		return;
	eq = memchr(buf, '=', len);
	if (eq != NULL) {
		len = (size_t)(eq - buf);
		pb->end = true;
	}
	for (i = 0; i + 4 <= len; i += 4)
		n += (uint64_t)partsize_b64_alphabet[p[i]] +
		    partsize_b64_alphabet[p[i + 1]] +
		    partsize_b64_alphabet[p[i + 2]] +
		    partsize_b64_alphabet[p[i + 3]];
	for (; i < len; i++)
		n += partsize_b64_alphabet[p[i]];
	pb->chars += n;
}

/* partsize_b64_size - the decoded size of what was fed */
uint64_t
partsize_b64_size(const struct partsize_b64 *pb)
{
	uint64_t size = pb->chars / 4 * 3;

	/* "xx=" is one byte more, "xxx=" two; a lone "x=" nothing. */
	if (pb->end && pb->chars % 4 >= 2)
		size += pb->chars % 4 - 1;
	return size;
}
