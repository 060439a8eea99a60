/*
 * histpat.c - the patterns that classify a line of a reply for
 * history.c, and the exact filters run before them (see histpat.h).
 *
 * A line of a long body used to run five GRegex matches, each allocating
 * a GMatchInfo (1 MB of text: 167 M instructions of g_regex_match()).
 * Before a pattern runs now, a line must hold a byte the pattern
 * requires (hp_needs), open as an anchored pattern opens (hp_opens())
 * and end as an anchored pattern ends (hp_ends()).  Each filter answers
 * "cannot match" only when the pattern cannot: on a non-ASCII byte
 * where it looks (a Unicode space, a letter that matches an ASCII one
 * without case, U+FF1A) it lets the pattern decide.
 */
#include <limits.h>
#include <string.h>

#include <glib.h>

#include "charset.h"
#include "histpat.h"

/*
 * The patterns.  Case-insensitive, UTF-8.  Translations: English, German,
 * French, Spanish, Italian, Dutch, Portuguese, Swedish, Danish, Norwegian,
 * Finnish, Polish, Czech, Hungarian, Turkish, Greek, Russian, Japanese,
 * Chinese.
 */
static const char *const hp_patterns[HISTPAT_COUNT] = {
	[HISTPAT_ORIGINAL] =
	    "^[\\s*>]*[-=_*]*\\s*(original message|ursprüngliche nachricht|"
	    "originalnachricht|message d'origine|message original|"
	    "mensaje original|messaggio originale|oorspronkelijk bericht|"
	    "origineel bericht|mensagem original|ursprungligt meddelande|"
	    "originalmeddelande|oprindelig (besked|meddelelse)|"
	    "opprinnelig melding|alkuperäinen viesti|"
	    "(oryginalna )?wiadomość( oryginalna)?|původní zpráva|"
	    "eredeti üzenet|orijinal ileti|исходное сообщение|"
	    "оригинальное сообщение|исходное письмо|原始邮件|原始郵件|"
	    "原始信件|元のメッセージ|reply message)\\s*[-=_*]*\\s*:?\\s*$",
	[HISTPAT_FORWARD] =
	    "^[\\s*]*[-=_*]*\\s*(forwarded message|begin forwarded message|"
	    "forwarded e-?mail|weitergeleitete nachricht|"
	    "anfang der weitergeleiteten nachricht|message transféré|"
	    "message transmis|début du message (réexpédié|transféré)|"
	    "mensaje reenviado|mensaje original reenviado|"
	    "inicio del mensaje reenviado|messaggio inoltrato|"
	    "inizio messaggio inoltrato|doorgestuurd bericht|"
	    "begin doorgestuurd bericht|mensagem encaminhada|"
	    "início da mensagem (reencaminhada|encaminhada)|"
	    "vidarebefordrat meddelande|videresendt (meddelelse|melding)|"
	    "välitetty viesti|wiadomość przekazana|przekazana wiadomość|"
	    "přeposlaná zpráva|továbbított üzenet|"
	    "пересылаемое сообщение|пересланное сообщение|"
	    "начало пересылаемого сообщения|转发的邮件|轉寄的郵件|"
	    "転送されたメッセージ|転送メッセージ)\\s*[-=_*]*\\s*:?\\s*$",
	[HISTPAT_RULE] = "^\\s*([-]{5,}|[_]{5,}|[=]{4,})\\s*$",
	[HISTPAT_SIG] = "^(-- ?|__)\\s*$",
	[HISTPAT_SENT] =
	    "^\\s*[(<]*\\s*(sent (from|with|via|using|by) (my )?|from my |"
	    "\\w+ from mobile|get outlook for |"
	    "envoyé (de|depuis|à partir de) (mon )?|von meinem |"
	    "gesendet (von|mit) (meinem )?|diese nachricht wurde von |"
	    "enviado (desde|do|de) (mi |meu )?|enviada (desde|do) |"
	    "inviato da (il mio )?|inviato dal mio |"
	    "verzonden (vanaf|met) (mijn )?|verstuurd (vanaf|met) (mijn )?|"
	    "(skickat )?från min |sendt fra (min )?|lähetetty (laitteesta )?|"
	    "wysłane z (mojego )?|odesláno z |отправлено (с|из) |"
	    "发自我的|從我的|iphoneから送信|送信元:)\\s*"
	    "([^\\s,.;:!?<]+(\\s+[^\\s,.;:!?<]+){0,5})?\\s*[.)>]*\\s*"
	    "(<[^>\\s]*>)?\\s*([,.]\\s+(please\\s+)?(excuse|pardon|forgive)"
	    ".{0,80})?$|^\\s*get outlook for \\S.{0,80}$",
	[HISTPAT_FROM] =
	    "^[\\s>]*[*_]*(from|von|de|da|van|från|fra|od|от|lähettäjä|"
	    "feladó|kimden|από|afsender|avsender|absender|remitente|"
	    "mittente|expéditeur|보낸 사람|发件人|發件人|寄件者|差出人|送信者)[*_]*"
	    "\\s*[:：]",
	[HISTPAT_FIELD] =
	    "^[\\s>]*[*_]*(sent|date|to|cc|subject|reply-to|message du|"
	    "gesendet|datum|"
	    "an|betreff|kopie|envoyé|à|a|objet|destinataire|répondre à|"
	    "enviado el|enviado|enviada em|fecha|para|asunto|assunto|"
	    "risposta|보낸 날짜|받는 사람|제목|참조|"
	    "inviato|data|oggetto|verzonden|aan|onderwerp|skickat|till|ämne|"
	    "kopia|dato|til|emne|sendt|lähetetty|päivämäärä|vastaanottaja|"
	    "aihe|wysłano|do|temat|odesláno|komu|předmět|elküldve|címzett|"
	    "tárgy|gönderildi|kime|konu|отправлено|дата|кому|тема|копия|"
	    "发送时间|日期|收件人|主题|抄送|寄件日期|收件者|主旨|時間|"
	    "送信日時|日時|宛先|件名)[*_]*\\s*[:：]",
	/* No \\b: without UCP it only knows ASCII words. */
	[HISTPAT_ON] =
	    "^[\\s>*-]*((on|at|am|le|el|il|in data|il giorno|in message|op|"
	    "em|no dia|den|på|w dniu|dnia|dňa|dne|в|στις|søn\\.)[\\s,]|"
	    "在|于|於)",
	[HISTPAT_VERB] =
	    "(wrote|writes|says|said|schrieb|schreibt|schrieben sie|"
	    "geschrieben|a écrit|a ecrit|nous a dit|escribió|"
	    "escribio|ha scritto|scrisse|schreef|geschreven|escreveu|"
	    "skrev|napisał|napisała|napisał\\(a\\)|pisze|napsal|napsala|"
	    "kirjoitti|írta|yazdı|έγραψε|написал|написала|написал\\(а\\)|"
	    "пишет|пише|писал|писала|写道|寫道|書きました|のメッセージ|작성)\\s*[\"'»)>]*\\s*"
	    "[:：]\\s*$",
	[HISTPAT_VERB_BARE] = "(wrote|schrieb|a écrit|escribió|ha scritto|"
	    "schreef|escreveu|skrev|napisał|kirjoitti|написал)\\s*-*\\s*$",
	[HISTPAT_VERB_MID] =
	    "\\s(wrote|schrieb|skrev|schreef|a écrit|escribió|escreveu|"
	    "ha scritto|napisał|napisała|kirjoitti|написал|написала)\\s"
	    ".{0,200}[:：]\\s*$",
	[HISTPAT_WROTE_ON] =
	    "^.{0,160}@[^\\s>]+>?\\)?\\s+(wrote|schrieb|a écrit|skrev|schreef)"
	    "\\s+(on|am|le|den|op)\\s.{1,160}[:：]\\s*$",
	[HISTPAT_DATE] =
	    "\\d{1,2}[:.h]\\d\\d|(19|20)\\d\\d|\\d{1,2}[/.-]\\d{1,2}[/.-]\\d{2}",
	[HISTPAT_VIA] = "^.{1,160}\\svia\\s.{1,160}\\s(wrote|schrieb)\\s*[:：]?"
	    "\\s*$",
	[HISTPAT_DATED] =
	    "^.{0,240}(\\d{1,2}:\\d{2}|(19|20)\\d\\d).{0,240}"
	    "[\\w.+-]+@[\\w-]+(\\.[\\w-]+)+.{0,60}[:：]\\s*$",
	[HISTPAT_DATED_LOOSE] =
	    "^.{0,200}(19|20)\\d\\d.{0,200}<[^<>@\\s]+@[^<>\\s]+>\\s*[:：]?"
	    "\\s*$",
	[HISTPAT_ISO] =
	    "^[\\s>]*(19|20)\\d\\d-\\d\\d-\\d\\d \\d{1,2}:\\d\\d GMT[+-]\\d\\d:?"
	    "\\d\\d\\s+\\S.*$",
	[HISTPAT_FWD_SUBJECT] =
	    "^\\s*(\\[[^]]*\\]\\s*)?(fwd?|fw|tr|wg|rv|i|enc|doorst|vb|"
	    "pd|přeposlat|továbbítás|пересл|转发|轉寄|転送)\\s*[:：]",
};

/*
 * Bytes a line must hold one of for the pattern to match it (the
 * full-width colon U+FF1A opens with 0xef): a line without any is let go
 * without compiling or running the pattern.  Each is a character the
 * pattern requires outside any alternative and that has no other case.
 */
static const char *const hp_needs[HISTPAT_COUNT] = {
	[HISTPAT_RULE] = "-_=",
	[HISTPAT_SIG] = "-_",
	[HISTPAT_FROM] = ":\xef",
	[HISTPAT_FIELD] = ":\xef",
	[HISTPAT_VERB] = ":\xef",
	[HISTPAT_VERB_MID] = ":\xef",
	[HISTPAT_WROTE_ON] = "@",
	[HISTPAT_DATE] = "0123456789",
	[HISTPAT_DATED] = "@",
	[HISTPAT_DATED_LOOSE] = "@",
	[HISTPAT_ISO] = "0123456789",
	[HISTPAT_FWD_SUBJECT] = ":\xef",
};

/*
 * How the patterns anchored at the start of a line open: after any run
 * of the ASCII bytes skip (what their leading "[\s>*]*" can take), one
 * of the words open (lower case; an alternative as the pattern spells it,
 * or its opening), or ASCII word characters and then word ("\w+ from
 * mobile").  hp_opens() lets a line go when it opens otherwise, so that
 * a line of prose reaches no pattern: before, each line of a long body
 * ran five of them (1 MB of text: 167 M instructions of g_regex_match()).
 * None of these words holds a letter that matches an ASCII one without
 * case (the LONG S, the KELVIN SIGN, the dotless i): a non-ASCII letter
 * of a word never matches an ASCII byte of the line.
 */
struct hp_open {
	const char *skip;		/* bytes skipped first */
	const char *const *open;	/* NULL-terminated */
	const char *word;		/* after "\\w+"; NULL: none */
};

#define HP_WS		" \t\n\v\f\r"	/* \s on ASCII */

static const char *const hp_open_original[] = { "original message",
	"ursprüngliche nachricht", "originalnachricht", "message d'origine",
	"message original", "mensaje original", "messaggio originale",
	"oorspronkelijk bericht", "origineel bericht", "mensagem original",
	"ursprungligt meddelande", "originalmeddelande", "oprindelig ",
	"opprinnelig melding", "alkuperäinen viesti", "oryginalna ",
	"wiadomość", "původní zpráva", "eredeti üzenet", "orijinal ileti",
	"исходное сообщение", "оригинальное сообщение", "исходное письмо",
	"原始邮件", "原始郵件", "原始信件", "元のメッセージ", "reply message",
	NULL };
static const char *const hp_open_forward[] = { "forwarded message",
	"begin forwarded message", "forwarded e", "weitergeleitete nachricht",
	"anfang der weitergeleiteten nachricht", "message transféré",
	"message transmis", "début du message ", "mensaje reenviado",
	"mensaje original reenviado", "inicio del mensaje reenviado",
	"messaggio inoltrato", "inizio messaggio inoltrato",
	"doorgestuurd bericht", "begin doorgestuurd bericht",
	"mensagem encaminhada", "início da mensagem ",
	"vidarebefordrat meddelande", "videresendt ", "välitetty viesti",
	"wiadomość przekazana", "przekazana wiadomość", "přeposlaná zpráva",
	"továbbított üzenet", "пересылаемое сообщение",
	"пересланное сообщение", "начало пересылаемого сообщения",
	"转发的邮件", "轉寄的郵件", "転送されたメッセージ", "転送メッセージ",
	NULL };
static const char *const hp_open_rule[] = { "-----", "_____", "====",
	NULL };
static const char *const hp_open_sig[] = { "--", "__", NULL };
static const char *const hp_open_sent[] = { "sent from", "sent with",
	"sent via", "sent using", "sent by", "from my ", "get outlook for ",
	"envoyé de", "envoyé depuis", "envoyé à partir de", "von meinem ",
	"gesendet von", "gesendet mit", "diese nachricht wurde von ",
	"enviado desde", "enviado do", "enviado de", "enviada desde",
	"enviada do", "inviato da", "inviato dal mio ", "verzonden vanaf",
	"verzonden met", "verstuurd vanaf", "verstuurd met",
	"skickat från min ", "från min ", "sendt fra ", "lähetetty ",
	"wysłane z ", "odesláno z ", "отправлено с", "отправлено из",
	"发自我的", "從我的", "iphoneから送信", "送信元:", NULL };
static const char *const hp_open_from[] = { "from", "von", "de", "da",
	"van", "från", "fra", "od", "от", "lähettäjä", "feladó", "kimden",
	"από", "afsender", "avsender", "absender", "remitente", "mittente",
	"expéditeur", "보낸 사람", "发件人", "發件人", "寄件者", "差出人",
	"送信者", NULL };
static const char *const hp_open_field[] = { "sent", "date", "to", "cc",
	"subject", "reply-to", "message du", "gesendet", "datum", "an",
	"betreff", "kopie", "envoyé", "à", "a", "objet", "destinataire",
	"répondre à", "enviado el", "enviado", "enviada em", "fecha", "para",
	"asunto", "assunto", "risposta", "보낸 날짜", "받는 사람", "제목",
	"참조", "inviato", "data", "oggetto", "verzonden", "aan", "onderwerp",
	"skickat", "till", "ämne", "kopia", "dato", "til", "emne", "sendt",
	"lähetetty", "päivämäärä", "vastaanottaja", "aihe", "wysłano", "do",
	"temat", "odesláno", "komu", "předmět", "elküldve", "címzett",
	"tárgy", "gönderildi", "kime", "konu", "отправлено", "дата", "кому",
	"тема", "копия", "发送时间", "日期", "收件人", "主题", "抄送",
	"寄件日期", "收件者", "主旨", "時間", "送信日時", "日時", "宛先",
	"件名", NULL };
static const char *const hp_open_on[] = { "on", "at", "am", "le", "el",
	"il", "in data", "il giorno", "in message", "op", "em", "no dia",
	"den", "på", "w dniu", "dnia", "dňa", "dne", "в", "στις", "søn.",
	"在", "于", "於", NULL };
static const char *const hp_open_iso[] = { "19", "20", NULL };

/* hp_first holds an index of each as an unsigned char. */
G_STATIC_ASSERT(G_N_ELEMENTS(hp_open_original) < UCHAR_MAX &&
    G_N_ELEMENTS(hp_open_forward) < UCHAR_MAX &&
    G_N_ELEMENTS(hp_open_sent) < UCHAR_MAX &&
    G_N_ELEMENTS(hp_open_from) < UCHAR_MAX &&
    G_N_ELEMENTS(hp_open_field) < UCHAR_MAX &&
    G_N_ELEMENTS(hp_open_on) < UCHAR_MAX);

static const struct hp_open hp_opening[HISTPAT_COUNT] = {
	[HISTPAT_ORIGINAL] = { HP_WS "*>-=_", hp_open_original, NULL },
	[HISTPAT_FORWARD] = { HP_WS "*-=_", hp_open_forward, NULL },
	[HISTPAT_RULE] = { HP_WS, hp_open_rule, NULL },
	[HISTPAT_SIG] = { "", hp_open_sig, NULL },
	[HISTPAT_SENT] = { HP_WS "(<", hp_open_sent, " from mobile" },
	[HISTPAT_FROM] = { HP_WS ">*_", hp_open_from, NULL },
	[HISTPAT_FIELD] = { HP_WS ">*_", hp_open_field, NULL },
	[HISTPAT_ON] = { HP_WS ">*-", hp_open_on, NULL },
	[HISTPAT_ISO] = { HP_WS ">", hp_open_iso, NULL },
};

/* hp_prefix - may s[0, n) open with w (lower case) without case?  A
 * non-ASCII byte of s may (the KELVIN SIGN is a 'k'); one of w only
 * meets a non-ASCII byte */
static bool
hp_prefix(const char *s, size_t n, const char *w)
{
	size_t i;

	for (i = 0; w[i] != '\0'; i++) {
		if (i == n)
			return false;
		if ((unsigned char)s[i] >= 0x80)
			return true;
		if ((unsigned char)w[i] >= 0x80 ||
		    g_ascii_tolower(s[i]) != w[i])
			return false;
	}
	return true;
}

/*
 * How the patterns anchored at the end of a line end: after any run of
 * the ASCII bytes trim at the end (and one ':' between two such runs
 * when colon), the last byte is one of last ("wrote:", "<a@b.c>", the
 * bare verbs' last letters), or a non-ASCII one (U+FF1A, a non-ASCII
 * space or letter: the pattern decides).  A line that ends otherwise is
 * let go (hp_ends()).
 */
struct hp_end {
	const char *trim;	/* bytes trimmed at the end */
	bool colon;		/* one ':' may end it before trim */
	const char *last;	/* NULL: the pattern is not listed */
};

static const struct hp_end hp_ending[HISTPAT_COUNT] = {
	[HISTPAT_VERB] = { HP_WS, false, ":" },
	[HISTPAT_VERB_BARE] = { HP_WS "-", false, "ebtofuviEBTOFUVI" },
	[HISTPAT_VERB_MID] = { HP_WS, false, ":" },
	[HISTPAT_WROTE_ON] = { HP_WS, false, ":" },
	[HISTPAT_VIA] = { HP_WS, true, "ebEB" },
	[HISTPAT_DATED] = { HP_WS, false, ":" },
	[HISTPAT_DATED_LOOSE] = { HP_WS, true, ">" },
};

/* hp_ends - may s[0, n) (no NUL) end as pattern re says?  false only
 * when the pattern cannot match */
static bool
hp_ends(enum histpat re, const char *s, size_t n)
{
	const struct hp_end *e = &hp_ending[re];

	while (n > 0 && strchr(e->trim, s[n - 1]) != NULL)
		n--;
	if (e->colon && n > 0 && s[n - 1] == ':') {
		n--;
		while (n > 0 && strchr(e->trim, s[n - 1]) != NULL)
			n--;
	}
	if (n == 0)
		return false;
	return (unsigned char)s[n - 1] >= 0x80 ||
	    strchr(e->last, s[n - 1]) != NULL;
}

/* Per pattern and ASCII byte, 1 + the index of the first open word that
 * starts with it (0: none), made once. */
static unsigned char hp_first[HISTPAT_COUNT][128];
static gsize hp_first_once;

/* hp_first_init - fill hp_first */
static void
hp_first_init(void)
{
	const char *const *w;
	unsigned char b;
	size_t re, i;

	if (!g_once_init_enter(&hp_first_once))
		return;
	for (re = 0; re < HISTPAT_COUNT; re++) {
		if (hp_opening[re].open == NULL)
			continue;
		for (i = 0, w = hp_opening[re].open; w[i] != NULL; i++) {
			b = (unsigned char)w[i][0];
			if (b < 0x80 && hp_first[re][b] == 0)
				hp_first[re][b] = (unsigned char)(i + 1);
		}
	}
	g_once_init_leave(&hp_first_once, 1);
}

/* hp_opens - may s[0, n) (no NUL) open as pattern re says?  false
 * only when the pattern cannot match */
static bool
hp_opens(enum histpat re, const char *s, size_t n)
{
	const struct hp_open *o = &hp_opening[re];
	const char *const *w;
	unsigned char b;
	size_t f, e;

	for (f = 0; f < n && strchr(o->skip, s[f]) != NULL; f++)
		continue;
	if (f == n)
		return false;
	/* A non-ASCII space (with Unicode properties, \s takes some) or
	 * letter: the pattern decides. */
	if ((unsigned char)s[f] >= 0x80)
		return true;
	hp_first_init();
	b = (unsigned char)g_ascii_tolower(s[f]);
	if (hp_first[re][b] != 0)
		for (w = o->open + hp_first[re][b] - 1; *w != NULL; w++)
			if ((*w)[0] == (char)b &&
			    hp_prefix(s + f, n - f, *w))
				return true;
	if (o->word == NULL)
		return false;
	for (e = f; e < n && (g_ascii_isalnum(s[e]) || s[e] == '_'); e++)
		continue;
	return e > f && hp_prefix(s + e, n - e, o->word);
}

/*
 * Each pattern comes in two compilations, each made on first use: [0]
 * interpreted, [1] with PCRE2's JIT (G_REGEX_OPTIMIZE).  The JIT costs
 * more to compile (the eighteen patterns: 6.4 M instructions, a third of
 * a short reply's work) than it saves on the few dozen lines of a reply,
 * but it runs a long body's lines several times faster (1 MB of text:
 * 0.5 s against 3.5 s of CPU).  So a pattern is interpreted for its first
 * HP_JIT_AFTER matches in the process and JIT-compiled after: the
 * decision is per pattern and grows with the input.
 */
#define HP_JIT_AFTER	400

static GRegex *hp_rx[2][HISTPAT_COUNT];
static gsize hp_re_once[2][HISTPAT_COUNT];
static gint hp_re_runs[HISTPAT_COUNT];

/* hp_regex - pattern re, compiled on first use (g_once_init); NULL if
 * it does not compile */
static GRegex *
hp_regex(enum histpat re)
{
	GError *gerr = NULL;
	int jit;

	jit = g_atomic_int_add(&hp_re_runs[re], 1) >= HP_JIT_AFTER;
	if (g_once_init_enter(&hp_re_once[jit][re])) {
		hp_rx[jit][re] = g_regex_new(hp_patterns[re],
		    G_REGEX_CASELESS | (jit ? G_REGEX_OPTIMIZE : 0), 0, &gerr);
		/* A pattern that does not compile is a bug caught by the
		 * unit tests; it just never matches. */
		if (gerr != NULL)
			g_clear_error(&gerr);
		g_once_init_leave(&hp_re_once[jit][re], 1);
	}
	return hp_rx[jit][re];
}

/* hp_cut - len cut to HISTPAT_LINE_MAX, not inside a UTF-8 character */
static size_t
hp_cut(const char *s, size_t len)
{
	return charset_utf8_fit(s, len, HISTPAT_LINE_MAX);
}

/* hp_nbsp - does s[0, n) hold U+00A0? */
static bool
hp_nbsp(const char *s, size_t n)
{
	const char *p, *e = s + n;

	for (p = s; p < e; p++) {
		p = memchr(p, 0xc2, (size_t)(e - p));
		if (p == NULL)
			return false;
		if (p + 1 < e && (unsigned char)p[1] == 0xa0)
			return true;
	}
	return false;
}

/* histpat_clip - the bytes of s[0, len) a pattern sees: cut at
 * HISTPAT_LINE_MAX, and at a NUL as a C string would end */
size_t
histpat_clip(const char *s, size_t len)
{
	const char *p;
	size_t n;

	n = hp_cut(s, len);
	p = memchr(s, '\0', n);
	return p != NULL ? (size_t)(p - s) : n;
}

/* histpat_regex_n - does the pattern alone match s[0, n)? */
bool
histpat_regex_n(enum histpat re, const char *s, size_t n)
{
	GRegex *rx;
	char *copy, *p;
	bool m;

	rx = hp_regex(re);
	if (rx == NULL)
		return false;
	/* U+00A0 (Outlook, QQ Mail) reads as two spaces: same length. */
	if (!hp_nbsp(s, n))
		return g_regex_match_full(rx, s, (gssize)n, 0, 0, NULL, NULL);
	copy = g_strndup(s, n);
	for (p = strstr(copy, "\xc2\xa0"); p != NULL;
	    p = strstr(p, "\xc2\xa0")) {
		p[0] = ' ';
		p[1] = ' ';
	}
	m = g_regex_match(rx, copy, 0, NULL);
	g_free(copy);
	return m;
}

/* histpat_match_n - does pattern re match s[0, n) (histpat_clip()ped)?
 * The filters first, then the pattern */
bool
histpat_match_n(enum histpat re, const char *s, size_t n)
{
	const char *need;

	if (hp_needs[re] != NULL) {
		for (need = hp_needs[re]; *need != '\0'; need++)
			if (memchr(s, *need, n) != NULL)
				break;
		if (*need == '\0')
			return false;
	}
	if (hp_opening[re].open != NULL && !hp_opens(re, s, n))
		return false;
	if (hp_ending[re].last != NULL && !hp_ends(re, s, n))
		return false;
	return histpat_regex_n(re, s, n);
}

/* histpat_match - does pattern re match s[0, len) (histpat_clip()ped)? */
bool
histpat_match(enum histpat re, const char *s, size_t len)
{
	return histpat_match_n(re, s, histpat_clip(s, len));
}
