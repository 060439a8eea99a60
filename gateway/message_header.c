/*
 * message_header.c - the header half of message: addresses (groups
 * included), the decoded fields struct message holds, the
 * Authentication-Results of the message's own header, and the header
 * values automatic.c judges.  Part of the message module (include/
 * message_priv.h): GMime types stay inside these two files.
 */
#include <string.h>

#include <gmime/gmime.h>

#include "automatic.h"
#include "charset.h"
#include "jis.h"
#include "message.h"
#include "message_priv.h"

/* msg_header_text - charset_line() cut at MESSAGE_HEADER_MAX */
char *
msg_header_text(const char *s)
{
	return charset_line(s, MESSAGE_HEADER_MAX);
}

/* msg_all_mailboxes - append every mailbox address in list, groups
 * included, to out (until it holds max) */
static void
msg_all_mailboxes(InternetAddressList *list, int depth, GPtrArray *out,
    guint max)
{
	InternetAddress *ia;
	const char *addr;
	char *s;
	int i, n;

	if (list == NULL || depth > 4)
		return;
	n = internet_address_list_length(list);
	for (i = 0; i < n && out->len < max; i++) {
		ia = internet_address_list_get_address(list, i);
		if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			addr = internet_address_mailbox_get_addr(
			    INTERNET_ADDRESS_MAILBOX(ia));
			/* "From: Foo <>" names nobody: not an address. */
			s = addr != NULL ? msg_header_text(addr) : NULL;
			if (s != NULL)
				g_ptr_array_add(out, s);
		} else if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			msg_all_mailboxes(internet_address_group_get_members(
			    INTERNET_ADDRESS_GROUP(ia)), depth + 1, out, max);
		}
	}
}

/* msg_first_mailbox - the first address of list, groups included (new),
 * or NULL */
static char *
msg_first_mailbox(InternetAddressList *list)
{
	GPtrArray *one = g_ptr_array_new();
	char *s;

	msg_all_mailboxes(list, 0, one, 1);
	s = one->len > 0 ? g_ptr_array_index(one, 0) : NULL;
	g_ptr_array_free(one, TRUE);
	return s;
}

/*
 * msg_from_list - the addresses of every From field (new, NULL-terminated).
 * GMime keeps one address list for From; a message may carry several
 * From fields, and each one's addresses count, so that a forged second
 * From cannot hide behind an allowed first one.
 */
static char **
msg_from_list(struct msg_ctx *c, GMimeMessage *gmsg)
{
	GMimeHeaderList *headers;
	GMimeHeader *h;
	InternetAddressList *list;
	GPtrArray *out = g_ptr_array_new();
	int i, n, fields = 0;

	headers = g_mime_object_get_header_list(GMIME_OBJECT(gmsg));
	n = headers != NULL ? g_mime_header_list_get_count(headers) : 0;
	for (i = 0; i < n && out->len < MESSAGE_FROM_MAX; i++) {
		h = g_mime_header_list_get_header_at(headers, i);
		if (h == NULL || g_ascii_strcasecmp(g_mime_header_get_name(h),
		    "From") != 0)
			continue;
		fields++;
		list = internet_address_list_parse(c->options,
		    g_mime_header_get_raw_value(h));
		if (list != NULL) {
			msg_all_mailboxes(list, 0, out, MESSAGE_FROM_MAX);
			g_object_unref(list);
		}
	}
	if (fields == 0)
		msg_all_mailboxes(g_mime_message_get_addresses(gmsg,
		    GMIME_ADDRESS_TYPE_FROM), 0, out, MESSAGE_FROM_MAX);
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

/* msg_authres_list - the Authentication-Results field bodies (new,
 * NULL-terminated), unfolded, each cut like any header */
static char **
msg_authres_list(GMimeObject *obj)
{
	GMimeHeaderList *headers;
	GMimeHeader *h;
	GPtrArray *out = g_ptr_array_new();
	const char *raw;
	char *s;
	int i, n;

	headers = g_mime_object_get_header_list(obj);
	n = headers != NULL ? g_mime_header_list_get_count(headers) : 0;
	for (i = 0; i < n && out->len < MESSAGE_AUTHRES_MAX; i++) {
		h = g_mime_header_list_get_header_at(headers, i);
		if (h == NULL || g_ascii_strcasecmp(g_mime_header_get_name(h),
		    "Authentication-Results") != 0)
			continue;
		raw = g_mime_header_get_raw_value(h);
		s = msg_header_text(raw != NULL ? raw : "");
		if (s != NULL)
			g_ptr_array_add(out, s);
	}
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

/*
 * msg_address_append - list as a person reads it: Name <addr>, without the
 * RFC 5322 quotes a comma or a dot needs ("Foo, Bar" shows as Foo, Bar),
 * but quoted when the name holds '<', '>', '@' or '"', so that a name
 * cannot pass for an address; groups as name: members;
 */
static void
msg_address_append(GString *out, InternetAddressList *list, int depth)
{
	InternetAddress *ia;
	const char *name, *addr;
	int i, n;

	if (list == NULL || depth > 4)
		return;
	n = internet_address_list_length(list);
	for (i = 0; i < n; i++) {
		ia = internet_address_list_get_address(list, i);
		name = internet_address_get_name(ia);
		if (i > 0)
			g_string_append(out, ", ");
		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			InternetAddressList *members =
			    internet_address_group_get_members(
			    INTERNET_ADDRESS_GROUP(ia));

			g_string_append_printf(out, "%s:",
			    name != NULL ? name : "");
			if (members != NULL &&
			    internet_address_list_length(members) > 0) {
				g_string_append_c(out, ' ');
				msg_address_append(out, members, depth + 1);
			}
			g_string_append_c(out, ';');
			continue;
		}
		addr = internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(ia));
		if (addr == NULL)
			addr = "";
		if (name == NULL || *name == '\0' || strcmp(name, addr) == 0) {
			g_string_append(out, addr);
			continue;
		}
		if (strpbrk(name, "<>@\"") != NULL) {
			g_string_append_c(out, '"');
			for (; *name; name++) {
				if (*name == '"' || *name == '\\')
					g_string_append_c(out, '\\');
				g_string_append_c(out, *name);
			}
			g_string_append_c(out, '"');
		} else
			g_string_append(out, name);
		if (*addr)
			g_string_append_printf(out, " <%s>", addr);
	}
}

/* msg_address_display - address_append into a new string */
static char *
msg_address_display(InternetAddressList *list)
{
	GString *out = g_string_new(NULL);

	msg_address_append(out, list, 0);
	return g_string_free(out, FALSE);
}

/* msg_jis_header - the raw value of header name with its CP50221 words
 * re-encoded for GMime (jis_header(): new), or NULL when it has none:
 * GMime's iconv turns the vendor characters (①, 髙...) into '?' */
static char *
msg_jis_header(GMimeObject *obj, const char *name)
{
	GMimeHeader *h;
	const char *raw;

	h = g_mime_header_list_get_header(g_mime_object_get_header_list(obj),
	    name);
	raw = h != NULL ? g_mime_header_get_raw_value(h) : NULL;
	if (raw == NULL || strstr(raw, "=?") == NULL)
		return NULL;
	return jis_header(raw);
}

/* msg_decoded_header - a header with RFC 2047 and 8-bit text decoded (new),
 * or NULL */
static char *
msg_decoded_header(struct msg_ctx *c, GMimeObject *obj, const char *name)
{
	const char *raw;
	char *dec, *jis, *s;

	raw = g_mime_object_get_header(obj, name);
	if (raw == NULL)
		return NULL;
	jis = msg_jis_header(obj, name);
	dec = g_mime_utils_header_decode_text(c->options,
	    jis != NULL ? jis : raw);
	s = msg_header_text(dec != NULL ? dec : raw);
	g_free(dec);
	g_free(jis);
	return s;
}

/* msg_subject - the decoded Subject (new), or NULL */
static char *
msg_subject(struct msg_ctx *c, GMimeMessage *gmsg)
{
	char *jis, *dec, *s;

	jis = msg_jis_header(GMIME_OBJECT(gmsg), "Subject");
	if (jis == NULL)
		return msg_header_text(g_mime_message_get_subject(gmsg));
	dec = g_mime_utils_header_decode_text(c->options, jis);
	s = msg_header_text(dec);
	g_free(dec);
	g_free(jis);
	return s;
}

/* msg_addresses - display string of an address header, and optionally its
 * first address; the decoded raw header when GMime finds no address */
static char *
msg_addresses(struct msg_ctx *c, GMimeMessage *gmsg, GMimeAddressType type,
    const char *name, char **first_r)
{
	InternetAddressList *list, *own;
	char *s, *t, *jis;

	/* Names in CP50221 words: parsed again once readable by GMime. */
	own = NULL;
	jis = msg_jis_header(GMIME_OBJECT(gmsg), name);
	if (jis != NULL) {
		own = internet_address_list_parse(c->options, jis);
		g_free(jis);
	}
	list = own != NULL ? own : g_mime_message_get_addresses(gmsg, type);
	if (list == NULL || internet_address_list_length(list) == 0) {
		t = msg_decoded_header(c, GMIME_OBJECT(gmsg), name);
		goto out;
	}
	s = msg_address_display(list);
	/*
	 * "To: =?utf-8?q?=C3=A9quipe?=" has no address: GMime keeps the
	 * encoded word as one, undecoded.
	 */
	if (s != NULL && strstr(s, "=?") != NULL) {
		t = g_mime_utils_header_decode_text(c->options, s);
		g_free(s);
		s = t;
	}
	t = msg_header_text(s);
	g_free(s);
	if (t == NULL)
		t = msg_decoded_header(c, GMIME_OBJECT(gmsg), name);
	if (first_r != NULL)
		*first_r = msg_first_mailbox(list);
out:
	if (own != NULL)
		g_object_unref(own);
	return t;
}

/* msg_message_id - Message-ID without angle brackets (new), or NULL */
static char *
msg_message_id(GMimeMessage *gmsg)
{
	const char *id;
	char *s;
	size_t n;

	id = g_mime_message_get_message_id(gmsg);
	if (id == NULL)
		id = g_mime_object_get_header(GMIME_OBJECT(gmsg), "Message-ID");
	s = msg_header_text(id);
	if (s == NULL)
		return NULL;
	if (*s == '<')
		memmove(s, s + 1, strlen(s));
	n = strlen(s);
	if (n > 0 && s[n - 1] == '>')
		s[n - 1] = '\0';
	g_strstrip(s);
	if (*s == '\0') {
		g_free(s);
		return NULL;
	}
	return s;
}

/*
 * msg_encloses_message - is root a multipart/mixed whose children hold a
 * message/rfc822 and no message/feedback-report (an abuse complaint's
 * shape, or a person's attached .eml: automatic.c tells them apart)
 */
static bool
msg_encloses_message(GMimeObject *root)
{
	GMimeContentType *ct;
	GMimeMultipart *mp;
	GMimeObject *part;
	bool enclosed = false;
	int i, n;

	if (root == NULL || !GMIME_IS_MULTIPART(root))
		return false;
	ct = g_mime_object_get_content_type(root);
	if (ct == NULL || !g_mime_content_type_is_type(ct, "multipart",
	    "mixed"))
		return false;
	mp = GMIME_MULTIPART(root);
	n = g_mime_multipart_get_count(mp);
	for (i = 0; i < n; i++) {
		part = g_mime_multipart_get_part(mp, i);
		ct = part != NULL ? g_mime_object_get_content_type(part) : NULL;
		if (ct == NULL)
			continue;
		if (g_mime_content_type_is_type(ct, "message",
		    "feedback-report"))
			return false;
		if (GMIME_IS_MESSAGE_PART(part) ||
		    g_mime_content_type_is_type(ct, "message", "rfc822"))
			enclosed = true;
	}
	return enclosed;
}

/* msg_automatic - automatic_header() over the header of m (obj), whose
 * top part is root */
const char *
msg_automatic(const struct message *m, GMimeObject *obj, GMimeObject *root)
{
	struct automatic_header h = {
		.auto_submitted = g_mime_object_get_header(obj,
		    "Auto-Submitted"),
		.precedence = g_mime_object_get_header(obj, "Precedence"),
		.x_autoreply = g_mime_object_get_header(obj, "X-Autoreply"),
		.x_autorespond = g_mime_object_get_header(obj,
		    "X-Autorespond"),
		.x_apple_action = g_mime_object_get_header(obj,
		    "X-Apple-Action"),
		.x_auto_response_suppress = g_mime_object_get_header(obj,
		    "X-Auto-Response-Suppress"),
		.x_autogenerated = g_mime_object_get_header(obj,
		    "X-Autogenerated"),
		.x_failed_recipients = g_mime_object_get_header(obj,
		    "X-Failed-Recipients"),
		.return_path = g_mime_object_get_header(obj, "Return-Path"),
		.from = g_mime_object_get_header(obj, "From"),
		.from_addr = m->from_addr,
		.subject = m->subject,
		.encloses_message = msg_encloses_message(root),
	};
	GMimeContentType *ct;
	const char *why;
	char *type = NULL;

	ct = root != NULL ? g_mime_object_get_content_type(root) : NULL;
	if (ct != NULL)
		type = g_mime_content_type_get_mime_type(ct);
	h.content_type = type;
	why = automatic_header(&h);
	g_free(type);
	return why;
}

/* msg_header_fields - the header fields of gmsg that struct message
 * holds (From, To, Cc, Date, Subject, Message-ID, ...) into m */
void
msg_header_fields(struct msg_ctx *c, GMimeMessage *gmsg, struct message *m)
{
	GMimeObject *obj = GMIME_OBJECT(gmsg);

	m->from = msg_addresses(c, gmsg, GMIME_ADDRESS_TYPE_FROM, "From",
	    &m->from_addr);
	m->from_addrs = msg_from_list(c, gmsg);
	m->auth_results = msg_authres_list(obj);
	m->to = msg_addresses(c, gmsg, GMIME_ADDRESS_TYPE_TO, "To", NULL);
	m->cc = msg_addresses(c, gmsg, GMIME_ADDRESS_TYPE_CC, "Cc", NULL);
	m->date = msg_decoded_header(c, obj, "Date");
	m->subject = msg_subject(c, gmsg);
	m->message_id = msg_message_id(gmsg);
	m->in_reply_to = msg_header_text(g_mime_object_get_header(obj,
	    "In-Reply-To"));
	m->references = msg_header_text(g_mime_object_get_header(obj,
	    "References"));
}
