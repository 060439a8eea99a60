/*
 * tnef.c - decode a TNEF container (winmail.dat) with libytnef, in a
 * child process (see tnef.h for why).
 *
 * The child sends records through a pipe: one tag byte, a 32-bit
 * little-endian length, the payload.  'F' is a file (8-byte size, one
 * byte that says whether the name is UTF-8, the name), 'H', 'R' and 'B'
 * the HTML, RTF and text bodies (one byte that says UTF-8, the bytes),
 * 'C' and 'O' the Internet and OEM code pages, 'E' the end.  The parent
 * believes nothing that did not end with 'E' and exit status 0.
 */
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib.h>
#include <ytnef.h>
#include <mapi.h>
#include <mapidefs.h>

#include "charset.h"
#include "rtf.h"
#include "tnef.h"

#define TNEF_SIGNATURE	0x223e9f78
#define TNEF_ATT_RENDDATA 0x00069002	/* opens each attachment */
#define TNEF_RTF_RAW	0x414c454d	/* "MELA": stored uncompressed */
#define TNEF_RTF_LZFU	0x75465a4c	/* "LZFu": compressed */
#define TNEF_RTF_MAX	(64 * 1024 * 1024)
#define TNEF_MEMORY	((rlim_t)2 << 30)	/* the child's address space */

/* tnef_le32 - a 32-bit little-endian number at p */
static uint32_t
tnef_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* tnef_is_tnef - is this part a TNEF container */
bool
tnef_is_tnef(const char *content_type, const char *filename)
{
	const char *base;

	if (content_type != NULL &&
	    (g_ascii_strcasecmp(content_type, "application/ms-tnef") == 0 ||
	    g_ascii_strcasecmp(content_type, "application/vnd.ms-tnef") == 0))
		return true;
	if (filename == NULL)
		return false;
	base = strrchr(filename, '/');
	base = base != NULL ? base + 1 : filename;
	if (strrchr(base, '\\') != NULL)
		base = strrchr(base, '\\') + 1;
	return g_ascii_strcasecmp(base, "winmail.dat") == 0;
}

/*
 * tnef_check - the attribute stream, as libytnef will read it: the
 * signature, a key, then attributes of a level byte, a 32-bit id and
 * length, the data and a 16-bit sum of its bytes, up to fewer than 9
 * bytes left
 */
bool
tnef_check(const unsigned char *buf, size_t len, int max_files)
{
	size_t p, size, i;
	unsigned sum;
	int files = 0;

	if (len < 6 || tnef_le32(buf) != TNEF_SIGNATURE)
		return false;
	for (p = 6; len - p >= 9; p += 11 + size) {
		size = tnef_le32(buf + p + 5);
		if (size == 0 || len - p - 9 < 2 || size > len - p - 11)
			return false;
		for (sum = 0, i = 0; i < size; i++)
			sum += buf[p + 9 + i];
		if ((sum & 0xffff) != (buf[p + 9 + size] |
		    (unsigned)buf[p + 10 + size] << 8))
			return false;
		if (tnef_le32(buf + p + 1) == TNEF_ATT_RENDDATA &&
		    ++files > max_files)
			return false;
	}
	return true;
}

/* tnef_put - one record into out */
static void
tnef_put(GByteArray *out, char tag, const void *a, size_t alen,
    const void *b, size_t blen)
{
	unsigned char head[5];
	uint32_t n = (uint32_t)(alen + blen);

	head[0] = (unsigned char)tag;
	head[1] = n & 0xff;
	head[2] = (n >> 8) & 0xff;
	head[3] = (n >> 16) & 0xff;
	head[4] = (n >> 24) & 0xff;
	g_byte_array_append(out, head, sizeof(head));
	if (alen > 0)
		g_byte_array_append(out, a, (guint)alen);
	if (blen > 0)
		g_byte_array_append(out, b, (guint)blen);
}

/* tnef_prop - a property of props, or NULL (libytnef says MAPI_UNDEFINED) */
static variableLength *
tnef_prop(MAPIProps *props, unsigned type, unsigned id)
{
	variableLength *v;

	v = MAPIFindProperty(props, PROP_TAG(type, id));
	if (v == MAPI_UNDEFINED || v == NULL || v->data == NULL ||
	    v->size <= 0)
		return NULL;
	return v;
}

/*
 * tnef_string - a string property: the Unicode form (libytnef makes it
 * NUL-terminated UTF-8, of at most 3 * size / 2 bytes) or the 8-bit one
 * (in the code page); *utf8_r tells which.  NULL when neither is there.
 */
static const char *
tnef_string(MAPIProps *props, unsigned id, size_t *len_r, bool *utf8_r)
{
	variableLength *v;

	v = tnef_prop(props, PT_UNICODE, id);
	*utf8_r = v != NULL;
	if (v == NULL)
		v = tnef_prop(props, PT_STRING8, id);
	if (v == NULL)
		return NULL;
	*len_r = strnlen((const char *)v->data,
	    *utf8_r ? (size_t)v->size * 3 / 2 : (size_t)v->size);
	return (const char *)v->data;
}

/*
 * tnef_rtf - the RTF of a PR_RTF_COMPRESSED value (new, malloc()ed), or
 * NULL.  The header is checked first (what it claims must fit what it
 * holds, and the output is bounded), an uncompressed ("MELA") stream is
 * taken as it is, and DecompressRTF() gets a copy with room after it: its
 * loop reads the two bytes of a back reference without looking for the
 * end of a cut stream.
 */
static unsigned char *
tnef_rtf(const variableLength *v, size_t max, size_t *len_r)
{
	variableLength copy;
	unsigned char *out;
	uint32_t csize, rsize, magic;
	int n = 0;

	if (v->size < 16)
		return NULL;
	csize = tnef_le32(v->data);
	rsize = tnef_le32(v->data + 4);
	magic = tnef_le32(v->data + 8);
	if (csize != (uint32_t)v->size - 4)
		return NULL;
	if (magic == TNEF_RTF_RAW) {
		*len_r = MIN(MIN((size_t)rsize, (size_t)v->size - 16), max);
		return g_memdup2(v->data + 16, *len_r);
	}
	if (magic != TNEF_RTF_LZFU || rsize > TNEF_RTF_MAX ||
	    rsize > (uint64_t)v->size * 9 + 1024)
		return NULL;
	copy.size = v->size;
	copy.data = g_malloc0((size_t)v->size + 16);
	memcpy(copy.data, v->data, (size_t)v->size);
	out = DecompressRTF(&copy, &n);
	g_free(copy.data);
	if (out == NULL || n <= 0)
		return NULL;
	*len_r = MIN((size_t)n, max);
	return out;
}

/* tnef_body - the body properties of the message as records */
static void
tnef_body(TNEFStruct *t, size_t max_body, GByteArray *out)
{
	variableLength *v;
	unsigned char *rtf, yes = 1, no = 0;
	const char *s;
	size_t len = 0;
	bool utf8;

	v = tnef_prop(&t->MapiProperties, PT_LONG, PR_INTERNET_CPID);
	if (v != NULL && v->size >= 4)
		tnef_put(out, 'C', v->data, 4, NULL, 0);
	if (t->CodePage.data != NULL && t->CodePage.size >= 4)
		tnef_put(out, 'O', t->CodePage.data, 4, NULL, 0);

	v = tnef_prop(&t->MapiProperties, PT_BINARY, PR_BODY_HTML);
	if (v != NULL)
		tnef_put(out, 'H', &no, 1, v->data,
		    MIN((size_t)v->size, 4 * max_body));
	else if ((s = tnef_string(&t->MapiProperties, PR_BODY_HTML, &len,
	    &utf8)) != NULL)
		tnef_put(out, 'H', utf8 ? &yes : &no, 1, s,
		    MIN(len, 4 * max_body));

	v = tnef_prop(&t->MapiProperties, PT_BINARY, PR_RTF_COMPRESSED);
	if (v != NULL && (rtf = tnef_rtf(v, 16 * max_body, &len)) != NULL) {
		tnef_put(out, 'R', &no, 1, rtf, len);
		free(rtf);
	}

	if ((s = tnef_string(&t->MapiProperties, PR_BODY, &len, &utf8)) !=
	    NULL)
		tnef_put(out, 'B', utf8 ? &yes : &no, 1, s,
		    MIN(len, 4 * max_body));
	else if (t->body.data != NULL && t->body.size > 0)
		tnef_put(out, 'B', &no, 1, t->body.data,
		    MIN(strnlen((const char *)t->body.data,
		    (size_t)t->body.size), 4 * max_body));
}

/* tnef_files - the attachments as records: the long name, else the
 * display name, else the 8.3 title; the data's size */
static void
tnef_files(TNEFStruct *t, GByteArray *out)
{
	Attachment *a;
	variableLength *v;
	unsigned char head[9];
	const char *name;
	uint64_t size;
	size_t len = 0;
	int i;
	bool utf8;

	for (a = t->starting_attach.next; a != NULL; a = a->next) {
		name = tnef_string(&a->MAPI, PR_ATTACH_LONG_FILENAME, &len,
		    &utf8);
		if (name == NULL)
			name = tnef_string(&a->MAPI, PR_DISPLAY_NAME, &len,
			    &utf8);
		if (name == NULL && a->Title.data != NULL &&
		    a->Title.size > 0) {
			name = (const char *)a->Title.data;
			len = strnlen(name, (size_t)a->Title.size);
			utf8 = false;
		}
		size = a->FileData.size > 0 ? (uint64_t)a->FileData.size : 0;
		v = tnef_prop(&a->MAPI, PT_OBJECT, PR_ATTACH_DATA_OBJ);
		if (size == 0 && v != NULL && v->size > 16)
			size = (uint64_t)v->size - 16;	/* after a GUID */
		if (name == NULL && size == 0)
			continue;	/* a rendering slot, no file */
		for (i = 0; i < 8; i++)
			head[i] = (unsigned char)(size >> (8 * i));
		head[8] = utf8 ? 1 : 0;
		tnef_put(out, 'F', head, sizeof(head), name,
		    name != NULL ? MIN(len, TNEF_NAME_MAX) : 0);
	}
}

/* tnef_child - run libytnef on buf, write the records to fd: the exit
 * status of the child */
static int
tnef_child(const unsigned char *buf, size_t len, size_t max_body, int fd)
{
	TNEFStruct t;
	GByteArray *out;
	const unsigned char *p;
	size_t left;
	ssize_t n;

	TNEFInitialize(&t);
	t.Debug = 0;
	if (TNEFParseMemory((BYTE *)buf, (long)len, &t) != 0)
		return 1;
	out = g_byte_array_new();
	tnef_body(&t, max_body, out);
	tnef_files(&t, out);
	tnef_put(out, 'E', NULL, 0, NULL, 0);
	for (p = out->data, left = out->len; left > 0; p += n, left -= n) {
		n = write(fd, p, left);
		if (n == -1 && errno == EINTR)
			n = 0;
		else if (n <= 0)
			return 1;
	}
	/* The child exits without freeing: _exit() is the cleanup. */
	return 0;
}

/* tnef_sandbox - in the child: no output, limits, default signals */
static void
tnef_sandbox(void)
{
	struct rlimit rl;
	int null;

	null = open("/dev/null", O_RDWR);
	if (null == -1 || dup2(null, STDOUT_FILENO) == -1 ||
	    dup2(null, STDERR_FILENO) == -1)
		_exit(1);
	signal(SIGALRM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	rl.rlim_cur = rl.rlim_max = TNEF_SECONDS;
	(void)setrlimit(RLIMIT_CPU, &rl);
	/* ASan reserves terabytes of shadow memory up front. */
#ifndef __SANITIZE_ADDRESS__
	rl.rlim_cur = rl.rlim_max = TNEF_MEMORY;
	(void)setrlimit(RLIMIT_AS, &rl);
#endif
	alarm(TNEF_SECONDS);
}

/*
 * tnef_run - fork, decode in the child, read its records (at most cap
 * bytes) into *out_r (new): GW_OK only when the child exited with 0
 */
static enum gw_status
tnef_run(const unsigned char *buf, size_t len, size_t max_body, size_t cap,
    GByteArray **out_r, struct gw_error *err)
{
	struct sigaction dfl, old;
	GByteArray *out;
	unsigned char chunk[8192];
	enum gw_status rc;
	ssize_t n;
	pid_t pid;
	int fds[2], status;
	bool over = false;

	*out_r = NULL;
	if (pipe(fds) == -1)
		return gw_error_set(err, GW_ETEMP, "cannot decode winmail.dat: "
		    "pipe: %s", g_strerror(errno));
	/* An inherited SIG_IGN would reap the child before waitpid(). */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGCHLD, &dfl, &old);
	pid = fork();
	if (pid == -1) {
		rc = gw_error_set(err, GW_ETEMP, "cannot decode winmail.dat: "
		    "fork: %s", g_strerror(errno));
		close(fds[0]);
		close(fds[1]);
		goto out;
	}
	if (pid == 0) {
		close(fds[0]);
		tnef_sandbox();
		_exit(tnef_child(buf, len, max_body, fds[1]));
	}
	close(fds[1]);
	out = g_byte_array_new();
	for (;;) {
		n = read(fds[0], chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if ((size_t)n > cap - out->len) {
			over = true;
			break;
		}
		g_byte_array_append(out, chunk, (guint)n);
	}
	close(fds[0]);
	if (over)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (over || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		g_byte_array_unref(out);
		rc = gw_error_set(err, GW_EDATA, "winmail.dat: the decoder "
		    "failed");
		goto out;
	}
	*out_r = out;
	rc = GW_OK;
out:
	sigaction(SIGCHLD, &old, NULL);
	return rc;
}

/* tnef_file_free - free one struct tnef_file (GDestroyNotify) */
static void
tnef_file_free(gpointer p)
{
	struct tnef_file *f = p;

	g_free(f->name);
	g_free(f->content_type);
	g_free(f);
}

/* tnef_charset - the charset of code page record cp (4 bytes or NULL),
 * else of fallback */
static const char *
tnef_charset(const unsigned char *cp, const unsigned char *fallback,
    char *buf, size_t size)
{
	uint32_t n = 1252;

	if (cp != NULL && tnef_le32(cp) != 0)
		n = tnef_le32(cp);
	else if (fallback != NULL && tnef_le32(fallback) != 0)
		n = tnef_le32(fallback);
	return charset_codepage(n, buf, size);
}

/* tnef_file_new - a listed file from an 'F' record of len bytes */
static struct tnef_file *
tnef_file_new(const unsigned char *p, size_t len, const char *charset)
{
	struct tnef_file *f;
	GString *u;
	gboolean uncertain;
	char *type;
	int i;

	f = g_new0(struct tnef_file, 1);
	for (i = 7; i >= 0; i--)
		f->size = f->size << 8 | p[i];
	u = charset_to_utf8((const char *)p + 9, len - 9,
	    p[8] != 0 ? "utf-8" : charset);
	f->name = charset_line(u->str, TNEF_NAME_MAX);
	g_string_free(u, TRUE);
	if (f->name == NULL)
		f->name = g_strdup("");
	type = *f->name != '\0' ? g_content_type_guess(f->name, NULL, 0,
	    &uncertain) : NULL;
	f->content_type = type != NULL ? g_content_type_get_mime_type(type) :
	    NULL;
	g_free(type);
	if (f->content_type == NULL)
		f->content_type = g_strdup("application/octet-stream");
	type = g_ascii_strdown(f->content_type, -1);
	g_free(f->content_type);
	f->content_type = type;
	return f;
}

/* tnef_clean - len body bytes (after the UTF-8 flag byte) as clean
 * UTF-8, cut at max bytes (new) */
static char *
tnef_clean(const unsigned char *p, size_t len, const char *charset,
    size_t max, bool *cut)
{
	GString *s;

	s = charset_text((const char *)p + 1, len - 1,
	    p[0] != 0 ? "utf-8" : charset, NULL, NULL, max, cut);
	return g_string_free(s, FALSE);
}

/* A record of the child: where its payload is, and how long. */
struct tnef_rec {
	const unsigned char *p;
	size_t len;
};

/*
 * tnef_parse - the records of the child into t; false when they are not
 * well formed or do not end with 'E'
 */
static bool
tnef_parse(const GByteArray *in, size_t max_body, int max_files,
    struct tnef *t)
{
	struct tnef_rec rec[256], r;
	GArray *files;
	const unsigned char *p, *cp = NULL, *oem = NULL;
	char cs_html[32], cs_oem[32];
	size_t off;
	GString *rtf;
	guint i;
	bool html, end = false;

	memset(rec, 0, sizeof(rec));
	files = g_array_new(FALSE, FALSE, sizeof(struct tnef_rec));
	for (off = 0; !end && in->len - off >= 5; off += 5 + r.len) {
		p = in->data + off;
		r.p = p + 5;
		r.len = tnef_le32(p + 1);
		if (r.len > in->len - off - 5)
			break;
		/* The child lists no more files than tnef_check() let in. */
		if (p[0] == 'F' && r.len >= 9 && (int)files->len < max_files)
			g_array_append_val(files, r);
		else if ((p[0] == 'C' || p[0] == 'O') && r.len == 4)
			*(p[0] == 'C' ? &cp : &oem) = r.p;
		else if ((p[0] == 'H' || p[0] == 'R' || p[0] == 'B') &&
		    r.len >= 1)
			rec[p[0]] = r;
		else if (p[0] == 'E')
			end = true;
	}
	tnef_charset(oem, cp, cs_oem, sizeof(cs_oem));
	tnef_charset(cp, oem, cs_html, sizeof(cs_html));
	for (i = 0; end && i < files->len; i++) {
		r = g_array_index(files, struct tnef_rec, i);
		g_ptr_array_add(t->files, tnef_file_new(r.p, r.len, cs_oem));
	}
	g_array_free(files, TRUE);
	if (!end)
		return false;

	if (rec['H'].p != NULL) {
		t->html = tnef_clean(rec['H'].p, rec['H'].len, cs_html,
		    max_body, &t->cut);
		return true;
	}
	if (rec['R'].p != NULL) {
		rtf = rtf_convert((const char *)rec['R'].p + 1,
		    rec['R'].len - 1, max_body, &html, &t->cut);
		if (rtf != NULL && (html || (rec['B'].p == NULL &&
		    rtf->len > 0))) {
			*(html ? &t->html : &t->text) =
			    g_string_free(rtf, FALSE);
			return true;
		}
		if (rtf != NULL)
			g_string_free(rtf, TRUE);
	}
	if (rec['B'].p != NULL)
		t->text = tnef_clean(rec['B'].p, rec['B'].len, cs_oem,
		    max_body, &t->cut);
	return true;
}

/* tnef_decode - decode a winmail.dat */
enum gw_status
tnef_decode(const unsigned char *buf, size_t len, size_t max_body,
    int max_files, struct tnef **tnef_r, struct gw_error *err)
{
	struct tnef *t;
	GByteArray *out;
	enum gw_status rc;
	size_t cap;

	*tnef_r = NULL;
	if (max_files < 0)
		max_files = 0;
	if (!tnef_check(buf, len, max_files))
		return gw_error_set(err, GW_EDATA, "winmail.dat is not a "
		    "well-formed TNEF stream");
	/* What the child may send: three bodies, the files, small records. */
	cap = 25 * (max_body + 64) + (size_t)max_files * (TNEF_NAME_MAX + 32) +
	    1024;
	rc = tnef_run(buf, len, max_body, cap, &out, err);
	if (rc != GW_OK)
		return rc;
	t = g_new0(struct tnef, 1);
	t->files = g_ptr_array_new_with_free_func(tnef_file_free);
	if (!tnef_parse(out, max_body, max_files, t)) {
		g_byte_array_unref(out);
		tnef_free(&t);
		return gw_error_set(err, GW_EDATA, "winmail.dat: the decoder "
		    "answered garbage");
	}
	g_byte_array_unref(out);
	if (t->text != NULL && *t->text == '\0') {
		g_free(t->text);
		t->text = NULL;
	}
	if (t->html != NULL && *t->html == '\0') {
		g_free(t->html);
		t->html = NULL;
	}
	*tnef_r = t;
	return GW_OK;
}

/* tnef_free - free *tnef_r; NULL-safe */
void
tnef_free(struct tnef **tnef_r)
{
	struct tnef *t;

	if (tnef_r == NULL || *tnef_r == NULL)
		return;
	t = *tnef_r;
	*tnef_r = NULL;
	g_ptr_array_unref(t->files);
	g_free(t->text);
	g_free(t->html);
	g_free(t);
}
