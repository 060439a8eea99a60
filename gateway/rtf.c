/*
 * rtf.c - the text of an RTF document, or the HTML it encapsulates
 * (\fromhtml1, [MS-OXRTFEX] section 2.1.3).
 *
 * One pass, no recursion: a stack of group states (RTF_MAX_DEPTH deep)
 * and an output that holds UTF-8 plus a run of code-page bytes (\'hh and
 * plain 8-bit characters) not yet converted; a \uN character or the end
 * converts the run with charset.h, through the \ansicpg charset.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "charset.h"
#include "rtf.h"

#define RTF_WORD_MAX	32	/* letters of a control word kept */

/* What one group ({...}) is in. */
struct rtf_group {
	bool skip;		/* a destination whose text is not shown */
	bool htmlrtf;		/* inside \htmlrtf ... \htmlrtf0 */
	int uc;			/* bytes that stand for each \uN (\ucN) */
};

struct rtf_state {
	GString *out;		/* UTF-8 */
	GString *raw;		/* code-page bytes not converted yet */
	char charset[32];
	bool html;		/* \fromhtml1 */
	size_t cap;
	int skip_chars;		/* replacement bytes still to skip */
	gunichar high;		/* a \uN high surrogate waiting for its pair */
};

/*
 * Destinations whose text is never shown (besides every {\*\...} one but
 * \htmltag); sorted for bsearch().
 */
static const char *const rtf_skipped[] = {
	"author", "buptim", "colortbl", "comment", "creatim", "doccomm",
	"fldinst", "fonttbl", "footer", "footerf", "footerl", "footerr",
	"footnote", "ftncn", "ftnsep", "ftnsepc", "header", "headerf",
	"headerl", "headerr", "info", "keywords", "listoverridetable",
	"listtable", "object", "operator", "pict", "printim", "revtbl",
	"revtim", "rsidtbl", "stylesheet", "subject", "template", "title",
	"txe", "xe"
};

/* Control words that stand for one character or an end of line. */
static const struct {
	const char *word;
	const char *text;
} rtf_symbols[] = {
	{ "par", "\n" }, { "line", "\n" }, { "row", "\n" }, { "page", "\n" },
	{ "sect", "\n" }, { "tab", "\t" }, { "cell", "\t" },
	{ "lquote", "\xe2\x80\x98" }, { "rquote", "\xe2\x80\x99" },
	{ "ldblquote", "\xe2\x80\x9c" }, { "rdblquote", "\xe2\x80\x9d" },
	{ "bullet", "\xe2\x80\xa2" }, { "endash", "\xe2\x80\x93" },
	{ "emdash", "\xe2\x80\x94" }, { "enspace", " " }, { "emspace", " " },
	{ "qmspace", " " }
};

/* rtf_cmp - bsearch() over rtf_skipped */
static int
rtf_cmp(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

/* rtf_flush - convert the pending code-page bytes into st->out */
static void
rtf_flush(struct rtf_state *st)
{
	GString *u;

	if (st->raw->len == 0)
		return;
	u = charset_to_utf8(st->raw->str, st->raw->len, st->charset);
	g_string_append_len(st->out, u->str, (gssize)u->len);
	g_string_free(u, TRUE);
	g_string_truncate(st->raw, 0);
}

/* rtf_shown - is text in group g part of the output */
static bool
rtf_shown(const struct rtf_state *st, const struct rtf_group *g)
{
	return !g->skip && !(st->html && g->htmlrtf);
}

/* rtf_byte - one character of text (a code-page byte) in group g */
static void
rtf_byte(struct rtf_state *st, const struct rtf_group *g, unsigned char c)
{
	if (st->skip_chars > 0) {
		st->skip_chars--;
		return;
	}
	if (rtf_shown(st, g))
		g_string_append_c(st->raw, (char)c);
}

/* rtf_utf8 - UTF-8 text (a symbol) in group g */
static void
rtf_utf8(struct rtf_state *st, const struct rtf_group *g, const char *s)
{
	if (!rtf_shown(st, g))
		return;
	rtf_flush(st);
	g_string_append(st->out, s);
}

/* rtf_unicode - \uN: one UTF-16 unit, then g->uc replacement bytes */
static void
rtf_unicode(struct rtf_state *st, const struct rtf_group *g, long n)
{
	gunichar c;

	c = (gunichar)(n < 0 ? n + 65536 : n) & 0xffff;
	st->skip_chars = g->uc;
	if (!rtf_shown(st, g))
		return;
	rtf_flush(st);
	if (c >= 0xd800 && c < 0xdc00) {
		st->high = c;
		return;
	}
	if (c >= 0xdc00 && c < 0xe000 && st->high != 0)
		c = 0x10000 + ((st->high - 0xd800) << 10) + (c - 0xdc00);
	else if (c >= 0xd800 && c < 0xe000)
		c = 0xfffd;
	st->high = 0;
	g_string_append_unichar(st->out, c == 0 ? 0xfffd : c);
}

/*
 * rtf_word - a control word (name, and its parameter when has_n) in group
 * g; star tells it follows \* (an optional destination).  Returns how many
 * bytes of binary data follow (\binN), else 0.
 */
static size_t
rtf_word(struct rtf_state *st, struct rtf_group *g, const char *name,
    bool has_n, long n, bool star)
{
	size_t i;

	if (strcmp(name, "bin") == 0)
		return has_n && n > 0 ? (size_t)n : 0;
	if (strcmp(name, "u") == 0 && has_n) {
		rtf_unicode(st, g, n);
		return 0;
	}
	/* Any other control word stands for one replacement byte. */
	if (st->skip_chars > 0) {
		st->skip_chars--;
		return 0;
	}
	if (star && st->html && strcmp(name, "htmltag") == 0) {
		g->htmlrtf = false;	/* the HTML itself */
		return 0;
	}
	if (star) {
		g->skip = true;
		return 0;
	}
	if (bsearch(name, rtf_skipped, G_N_ELEMENTS(rtf_skipped),
	    sizeof(rtf_skipped[0]), rtf_cmp) != NULL) {
		g->skip = true;
	} else if (strcmp(name, "uc") == 0 && has_n) {
		g->uc = n >= 0 && n <= 8 ? (int)n : 1;
	} else if (strcmp(name, "ansicpg") == 0 && has_n && n > 0) {
		rtf_flush(st);
		charset_codepage((unsigned long)n, st->charset,
		    sizeof(st->charset));
	} else if (strcmp(name, "fromhtml") == 0) {
		st->html = !has_n || n != 0;
	} else if (strcmp(name, "htmlrtf") == 0) {
		g->htmlrtf = !has_n || n != 0;
	} else {
		for (i = 0; i < G_N_ELEMENTS(rtf_symbols); i++)
			if (strcmp(name, rtf_symbols[i].word) == 0) {
				rtf_utf8(st, g, rtf_symbols[i].text);
				break;
			}
	}
	return 0;
}

/* rtf_hex - the value of a hex digit, or -1 */
static int
rtf_hex(char c)
{
	return g_ascii_isxdigit(c) ? g_ascii_xdigit_value(c) : -1;
}

/* rtf_trim - text without blank lines at either end */
static void
rtf_trim(GString *s)
{
	size_t i, keep;

	while (s->len > 0 && g_ascii_isspace(s->str[s->len - 1]))
		g_string_truncate(s, s->len - 1);
	for (i = keep = 0; i < s->len && g_ascii_isspace(s->str[i]); i++)
		if (s->str[i] == '\n')
			keep = i + 1;
	g_string_erase(s, 0, (gssize)keep);
}

/* rtf_convert - the text (or encapsulated HTML) of an RTF document */
GString *
rtf_convert(const char *s, size_t len, size_t cap, bool *html_r, bool *cut_r)
{
	struct rtf_group stack[RTF_MAX_DEPTH];
	struct rtf_state st;
	struct rtf_group *g;
	GString *clean;
	char name[RTF_WORD_MAX + 1];
	size_t i, k, nl, skip;
	long n;
	int depth, lost, h1, h2;
	bool star, has_n, neg;

	*html_r = false;
	for (i = 0; i < len && g_ascii_isspace(s[i]); i++)
		;
	if (len - i < 5 || strncmp(s + i, "{\\rtf", 5) != 0)
		return NULL;
	memset(&st, 0, sizeof(st));
	st.out = g_string_new(NULL);
	st.raw = g_string_new(NULL);
	st.cap = cap;
	g_strlcpy(st.charset, "windows-1252", sizeof(st.charset));
	depth = 0;
	lost = 0;	/* groups opened past RTF_MAX_DEPTH */
	stack[0] = (struct rtf_group){ .uc = 1 };
	g = &stack[0];
	star = false;
	/* Output grows by at most 4 bytes per input byte: stop well past
	 * cap, and cut exactly at the end. */
	for (; i < len && st.out->len + st.raw->len * 3 <= cap + 16; i++) {
		char c = s[i];

		if (c == '{') {
			st.skip_chars = 0;
			if (lost > 0 || depth + 1 >= RTF_MAX_DEPTH) {
				lost++;
				continue;
			}
			stack[depth + 1] = stack[depth];
			g = &stack[++depth];
			continue;
		}
		if (c == '}') {
			st.skip_chars = 0;
			star = false;
			if (lost > 0)
				lost--;
			else if (depth > 0)
				g = &stack[--depth];
			continue;
		}
		if (lost > 0) {
			if (c == '\\')
				i++;	/* an escaped brace is no brace */
			continue;
		}
		if (c == '\r' || c == '\n' || c == '\0')
			continue;
		if (c != '\\') {
			rtf_byte(&st, g, (unsigned char)c);
			continue;
		}
		if (++i >= len)
			break;
		c = s[i];
		if (g_ascii_isalpha(c)) {
			for (k = 0; i < len && g_ascii_isalpha(s[i]); i++)
				if (k < RTF_WORD_MAX)
					name[k++] = s[i];
			name[k] = '\0';
			neg = i < len && s[i] == '-';
			if (neg)
				i++;
			has_n = false;
			for (n = 0, k = 0; i < len && g_ascii_isdigit(s[i]);
			    i++, k++)
				if (k < 10) {
					n = n * 10 + (s[i] - '0');
					has_n = true;
				}
			if (neg)
				n = -n;
			/* A space delimits the word and belongs to it. */
			if (!(i < len && s[i] == ' '))
				i--;
			skip = rtf_word(&st, g, name, has_n, n, star);
			star = false;
			i += skip < len - i ? skip : len - i;
			continue;
		}
		star = false;
		switch (c) {
		case '*':
			star = true;
			break;
		case '\'':
			h1 = i + 1 < len ? rtf_hex(s[i + 1]) : -1;
			h2 = i + 2 < len ? rtf_hex(s[i + 2]) : -1;
			if (h1 >= 0 && h2 >= 0) {
				rtf_byte(&st, g, (unsigned char)(h1 * 16 + h2));
				i += 2;
			}
			break;
		case '\r':
		case '\n':
			rtf_utf8(&st, g, "\n");
			break;
		case '~':
			rtf_utf8(&st, g, "\xc2\xa0");
			break;
		case '_':
			rtf_utf8(&st, g, "-");
			break;
		case '\\':
		case '{':
		case '}':
			rtf_byte(&st, g, (unsigned char)c);
			break;
		default:	/* \- (optional hyphen), \: and unknowns */
			break;
		}
	}
	rtf_flush(&st);
	if (i < len || st.out->len > cap)
		*cut_r = true;
	nl = charset_utf8_fit(st.out->str, st.out->len, cap);
	clean = charset_normalize(st.out->str, nl);
	g_string_free(st.out, TRUE);
	g_string_free(st.raw, TRUE);
	if (!st.html)
		rtf_trim(clean);
	*html_r = st.html;
	return clean;
}
