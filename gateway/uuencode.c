/*
 * uuencode.c - take uuencoded files out of the text of a text part.
 *
 * One line at a time (uuencode.h says what a block is): in UU_TEXT lines
 * pass on, unless one begins a block; in UU_HELD the lines of a block
 * not yet sure are held back; in UU_BLOCK its lines are only counted.
 * GMime decodes each data line into a small buffer, to check it and to
 * count the file's bytes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <gmime/gmime.h>

#include "charset.h"
#include "message.h"
#include "uuencode.h"

/* A block is sure once this many bytes decoded (or at its end). */
#define UU_SURE		32
/* The longest data line taken: 63 bytes uuencoded, or base64 text. */
#define UU_DATA_MAX	128

enum uu_state {
	UU_TEXT,		/* passing text on */
	UU_HELD,		/* in a block not yet sure */
	UU_BLOCK		/* in a sure block */
};

/* What a line is to the block it follows. */
enum uu_kind {
	UU_BAD,			/* not part of it: the block is over */
	UU_DATA,		/* a data line, decoded */
	UU_ZERO,		/* the zero-length line */
	UU_END			/* "end" (or "===="): the block is over */
};

struct uuencode {
	char *charset;		/* of the part, for file names */
	GString *line;		/* the line being put together */
	bool passing;		/* inside a line over UUENCODE_LINE_MAX */
	enum uu_state state;
	GString *held;		/* the lines held back in UU_HELD */
	/* The block being read. */
	bool base64;		/* begin-base64 (uuencode -m) */
	GString *name;		/* base name, raw bytes */
	size_t first;		/* length of its first data line, or 0 */
	bool last;		/* a shorter line was seen: only the end
				 * may follow */
	bool zero;		/* the data is known to be whole */
	int b64state;		/* GMime base64 decoder state */
	guint32 b64save;
	uint64_t size;		/* bytes decoded */
	GPtrArray *files;	/* of struct message_attachment * */
};

/* uu_text - append n bytes of s to the text */
static void
uu_text(GByteArray *text, const char *s, size_t n)
{
	if (n > 0)
		g_byte_array_append(text, (const guint8 *)s, (guint)n);
}

/* uu_trim - the length of s (n bytes) without trailing white space */
static size_t
uu_trim(const char *s, size_t n)
{
	while (n > 0 && g_ascii_isspace(s[n - 1]))
		n--;
	return n;
}

/*
 * uu_begin - is s (n bytes, no line end) "begin MODE NAME" or
 * "begin-base64 MODE NAME": then the block starts, named by the base
 * name of NAME
 */
static bool
uu_begin(struct uuencode *uu, const char *s, size_t n)
{
	size_t i, m, start;
	bool b64;

	n = uu_trim(s, n);
	if (n > 6 && memcmp(s, "begin ", 6) == 0) {
		i = 6;
		b64 = false;
	} else if (n > 13 && memcmp(s, "begin-base64 ", 13) == 0) {
		i = 13;
		b64 = true;
	} else
		return false;
	for (m = 0; i + m < n && s[i + m] >= '0' && s[i + m] <= '7'; m++)
		;
	if (m < 3 || m > 4 || i + m + 1 >= n || s[i + m] != ' ' ||
	    g_ascii_isspace(s[i + m + 1]))
		return false;
	for (i += m + 1, start = i; i < n; i++)
		if (s[i] == '/' || s[i] == '\\')
			start = i + 1;
	g_string_truncate(uu->name, 0);
	g_string_append_len(uu->name, s + start,
	    (gssize)MIN(n - start, UUENCODE_NAME_MAX));
	uu->base64 = b64;
	uu->first = 0;
	uu->last = uu->zero = false;
	uu->b64state = 0;
	uu->b64save = 0;
	uu->size = 0;
	return true;
}

/* uu_data - what s (n bytes, no line end) is in a uuencode block */
static enum uu_kind
uu_data(struct uuencode *uu, const char *s, size_t n)
{
	unsigned char in[UU_DATA_MAX], out[UU_DATA_MAX];
	size_t t, rank, need, i;
	guint32 save = 0;
	int state = 0;

	t = uu_trim(s, n);
	if (t == 3 && memcmp(s, "end", 3) == 0 && (uu->zero || uu->first > 0)) {
		uu->zero = true;	/* the encoder wrote its end */
		return UU_END;
	}
	if (uu->zero)
		return UU_BAD;
	if (t == 0 || (t == 1 && s[0] == '`')) {
		uu->zero = true;
		return UU_ZERO;
	}
	if (s[0] < ' ' || s[0] > '`')
		return UU_BAD;
	rank = (size_t)((s[0] - ' ') & 077);
	need = 1 + 4 * ((rank + 2) / 3);
	/* Trailing spaces may have been stripped, or a check character
	 * added. */
	if (rank == 0 || uu->last || (uu->first > 0 && rank > uu->first) ||
	    n + 3 < need || n > need + 2)
		return UU_BAD;
	for (i = 0; i < n; i++)
		if (s[i] < ' ' || s[i] > '`')
			return UU_BAD;
	memset(in, ' ', sizeof(in));
	memcpy(in, s, MIN(n, need));
	in[need] = '\n';
	if (g_mime_encoding_uudecode_step(in, need + 1, out, &state, &save) !=
	    rank)
		return UU_BAD;
	uu->size += rank;
	if (uu->first == 0)
		uu->first = rank;
	else if (rank < uu->first)
		uu->last = true;
	return UU_DATA;
}

/* uu_base64 - what s (n bytes, no line end) is in a begin-base64 block */
static enum uu_kind
uu_base64(struct uuencode *uu, const char *s, size_t n)
{
	unsigned char out[UU_DATA_MAX];
	size_t i, pad;

	n = uu_trim(s, n);
	if (n == 4 && memcmp(s, "====", 4) == 0) {
		uu->zero = true;
		return UU_END;
	}
	if (uu->last || n == 0 || n % 4 != 0 || n > UU_DATA_MAX ||
	    (uu->first > 0 && n > uu->first))
		return UU_BAD;
	for (pad = 0; pad < 2 && s[n - 1 - pad] == '='; pad++)
		;
	for (i = 0; i < n - pad; i++)
		if (!g_ascii_isalnum(s[i]) && s[i] != '+' && s[i] != '/')
			return UU_BAD;
	uu->size += g_mime_encoding_base64_decode_step((const guchar *)s, n,
	    out, &uu->b64state, &uu->b64save);
	if (uu->first == 0)
		uu->first = n;
	else if (n < uu->first)
		uu->last = true;
	if (pad > 0)
		uu->last = true;
	return UU_DATA;
}

/* uu_release - the held lines were text after all */
static void
uu_release(struct uuencode *uu, GByteArray *text)
{
	uu_text(text, uu->held->str, uu->held->len);
	g_string_truncate(uu->held, 0);
	uu->state = UU_TEXT;
}

/*
 * uu_close - the block is over: list its file (partial when its data is
 * not known to be whole) and put its marker line in the text
 */
static void
uu_close(struct uuencode *uu, GByteArray *text)
{
	struct message_attachment *a;
	GString *name, *marker;
	size_t i;

	if (uu->files->len < UUENCODE_FILES_MAX) {
		a = g_new0(struct message_attachment, 1);
		name = charset_body(uu->name->str, uu->name->len,
		    uu->charset);
		a->filename = charset_line(name->str, UUENCODE_NAME_MAX);
		if (a->filename == NULL)
			a->filename = g_strdup("");
		g_string_free(name, TRUE);
		a->content_type = g_strdup("application/octet-stream");
		a->size = uu->size;
		a->partial = !uu->zero;
		g_ptr_array_add(uu->files, a);
	}
	marker = g_string_new("[uuencoded file: ");
	for (i = 0; i < uu->name->len; i++)
		g_string_append_c(marker, (unsigned char)uu->name->str[i] <
		    ' ' || uu->name->str[i] == 0x7f ? '?' : uu->name->str[i]);
	if (uu_trim(uu->name->str, uu->name->len) == 0)
		g_string_append(marker, "(unnamed)");
	g_string_append(marker, uu->zero ? "]\n" : " (incomplete)]\n");
	uu_text(text, marker->str, marker->len);
	g_string_free(marker, TRUE);
	g_string_truncate(uu->held, 0);
	uu->state = UU_TEXT;
}

/* uu_line - one whole line s (len bytes, its line end included) */
static void
uu_line(struct uuencode *uu, const char *s, size_t len, GByteArray *text)
{
	enum uu_kind kind;
	size_t n = len;

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (uu->state == UU_TEXT) {
		if (uu_begin(uu, s, n)) {
			uu->state = UU_HELD;
			g_string_append_len(uu->held, s, (gssize)len);
		} else
			uu_text(text, s, len);
		return;
	}
	kind = uu->base64 ? uu_base64(uu, s, n) : uu_data(uu, s, n);
	if (kind == UU_BAD) {
		/* The block is over; the line is text (or the next block). */
		if (uu->state == UU_HELD)
			uu_release(uu, text);
		else
			uu_close(uu, text);
		uu_line(uu, s, len, text);
	} else if (kind == UU_END)
		uu_close(uu, text);
	else if (uu->state == UU_HELD && uu->size >= UU_SURE) {
		g_string_truncate(uu->held, 0);
		uu->state = UU_BLOCK;
	} else if (uu->state == UU_HELD)
		g_string_append_len(uu->held, s, (gssize)len);
}

/* uu_end_block - what is held or open ends here, before a text line */
static void
uu_end_block(struct uuencode *uu, GByteArray *text)
{
	if (uu->state == UU_HELD)
		uu_release(uu, text);
	else if (uu->state == UU_BLOCK)
		uu_close(uu, text);
}

/* uuencode_new - a scanner for one text part */
struct uuencode *
uuencode_new(const char *charset)
{
	struct uuencode *uu;

	uu = g_new0(struct uuencode, 1);
	uu->charset = g_strdup(charset);
	uu->line = g_string_new(NULL);
	uu->held = g_string_new(NULL);
	uu->name = g_string_new(NULL);
	uu->files = g_ptr_array_new_with_free_func(message_attachment_free);
	uu->state = UU_TEXT;
	return uu;
}

/* uuencode_feed - scan len more bytes of the part into text */
void
uuencode_feed(struct uuencode *uu, const char *buf, size_t len,
    GByteArray *text)
{
	const char *nl;
	size_t n;

	while (len > 0) {
		nl = memchr(buf, '\n', len);
		n = nl != NULL ? (size_t)(nl - buf) + 1 : len;
		if (uu->passing)
			uu_text(text, buf, n);
		else if (uu->line->len + n > UUENCODE_LINE_MAX) {
			/* Too long for uuencode or a begin line: text. */
			uu_end_block(uu, text);
			uu_text(text, uu->line->str, uu->line->len);
			g_string_truncate(uu->line, 0);
			uu_text(text, buf, n);
			uu->passing = true;
		} else {
			g_string_append_len(uu->line, buf, (gssize)n);
			if (nl != NULL) {
				uu_line(uu, uu->line->str, uu->line->len,
				    text);
				g_string_truncate(uu->line, 0);
			}
		}
		if (nl != NULL)
			uu->passing = false;
		buf += n;
		len -= n;
	}
}

/* uuencode_finish - the part is over: flush what is held back */
void
uuencode_finish(struct uuencode *uu, GByteArray *text)
{
	if (uu->line->len > 0)
		uu_line(uu, uu->line->str, uu->line->len, text);
	g_string_truncate(uu->line, 0);
	uu->passing = false;
	uu_end_block(uu, text);
}

/* uuencode_take - move the files found to the end of dst */
void
uuencode_take(struct uuencode *uu, GPtrArray *dst)
{
	guint i;

	for (i = 0; i < uu->files->len; i++)
		g_ptr_array_add(dst, g_ptr_array_index(uu->files, i));
	/* The pointers are dst's now: empty the array without freeing. */
	g_ptr_array_set_free_func(uu->files, NULL);
	g_ptr_array_set_size(uu->files, 0);
	g_ptr_array_set_free_func(uu->files, message_attachment_free);
}

/* uuencode_free - free *uu_r; NULL-safe */
void
uuencode_free(struct uuencode **uu_r)
{
	struct uuencode *uu;

	if (uu_r == NULL || *uu_r == NULL)
		return;
	uu = *uu_r;
	*uu_r = NULL;
	g_free(uu->charset);
	g_string_free(uu->line, TRUE);
	g_string_free(uu->held, TRUE);
	g_string_free(uu->name, TRUE);
	g_ptr_array_unref(uu->files);
	g_free(uu);
}
