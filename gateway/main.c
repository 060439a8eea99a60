/*
 * main.c - mail2note: one email on standard input becomes one internal
 * note on a helpdesk ticket.
 *
 * Design.  The MTA (Postfix pipe(8), an Exim pipe transport) can learn
 * only two things from us: the exit status and what we print.  So the
 * program is one straight line, each step a module that returns an
 * enum gw_status:
 *
 *	conf -> key -> message -> policy -> ticket -> note -> api -> status
 *
 * Everything that depends on the administrator (config, key file, ticket
 * patterns) is checked before stdin is read, so that a broken set-up
 * defers mail instead of bouncing it.  Only main() decides the exit code,
 * through the one table in status.c; on failure exactly one line goes to
 * stderr, "<RFC 3463 code> <reason>", which Postfix copies into the
 * bounce and honours.  When in doubt we defer (EX_TEMPFAIL): a bounce is
 * final, a deferral only costs a retry.
 *
 * A SIGALRM backstop, armed for the configured budget plus a margin,
 * guarantees that we never run into the MTA's own time limit (which
 * bounces under Postfix).  libcurl's timeouts stay well below it.
 *
 * With a [sender] policy, a bounce is a letter to whoever the envelope
 * names, which may be forged: every outcome that would bounce for a
 * sender that did not pass the policy is discarded and logged instead
 * (backscatter), except the policy's own refusal when the administrator
 * asked for it (refused = bounce).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "api.h"
#include "conf.h"
#include "confdiag.h"
#include "headblock.h"
#include "keyfile.h"
#include "log.h"
#include "message.h"
#include "note.h"
#include "policy.h"
#include "quarantine.h"
#include "secret.h"
#include "spool.h"
#include "state.h"
#include "status.h"
#include "ticket.h"

#define MAIN_ALARM_MARGIN 30	/* seconds beyond the API timeout */

struct opts {
	char *config;
	char *sender;		/* NULL: not given; "": null sender */
	char *recipient;
	char *extension;
	char *queue_id;
	gboolean dry_run;
	gboolean version;
	gboolean help;
	char *help_text;	/* --help: the usage, built by GOption */
	gboolean check_config;
	gboolean check_api;
	char *check_ticket;	/* --check-api TICKET, or NULL */
	gboolean new_address_key;
	char *sign;		/* --sign ID */
	char *address;		/* --address, with --sign */
	gboolean quarantine;	/* --quarantine: list it */
	char *replay;		/* --replay ID */
	int purge_days;		/* --purge-quarantine DAYS; -1: not given */
	const char *ticket;	/* --replay ID -x TICKET: this ticket */
	int verbose;
};

/* What the summary log line reports. */
struct outcome {
	char *message_id;	/* own copy: the message is freed before the
				 * summary line is logged */
	char ticket[TICKET_ID_MAX + 1];	/* "" until one is found */
	const char *source;
	long http_status;
	size_t bytes;
	const char *what;	/* delivered, discarded, refused, deferred,
				 * bounced */
	char *reason;		/* why it was discarded (own copy) */
	char *verdict;		/* the sender policy's reason (own copy) */
	bool policy;		/* a [sender] policy is configured */
	bool authenticated;	/* ... and this sender passed it */
	const char *journal;	/* what the journal said: "hit", NULL */
	bool ambiguous;		/* sent, outcome unknown: maybe a duplicate */
	bool keep;		/* not delivered: quarantine it (refused, or
				 * a bounce turned into a discard) */
	char quarantined[QUARANTINE_ID_LEN + 1];	/* its id, or "" */
	const char *replay;	/* --replay ID, or NULL */
};

static volatile sig_atomic_t main_alarm_exit = 75;

/* main_alarm - the time budget backstop: one fixed line, then defer */
static void
main_alarm(int sig)
{
	static const char line[] =
	    "4.4.2 mail2note: time budget exceeded, will retry\n";
	ssize_t n;

	(void)sig;
	n = write(STDERR_FILENO, line, sizeof(line) - 1);
	(void)n;
	_exit(main_alarm_exit);
}

/* main_count_verbose - -v is repeatable */
static gboolean
main_count_verbose(const char *name, const char *value, gpointer data,
    GError **error)
{
	struct opts *o = data;

	(void)name;
	(void)value;
	(void)error;
	o->verbose++;
	return TRUE;
}

/*
 * main_usage_hint - " (see mail2note --help)" for a person at a terminal;
 * "" for the MTA, whose DSN line stays as short as it was
 */
static const char *
main_usage_hint(void)
{
	return isatty(STDERR_FILENO) ? " (see mail2note --help)" : "";
}

/* main_help_text - GOption's help in ASCII (new, g_free) */
static char *
main_help_text(GOptionContext *ctx)
{
	GString *help;
	char *text;

	text = g_option_context_get_help(ctx, TRUE, NULL);
	help = g_string_new(text);
	g_free(text);
	(void)g_string_replace(help, "\xe2\x80\xa6", "...", 0);	/* … */
	return g_string_free(help, FALSE);
}

/* main_opts - parse argv; GW_ECONFIG on a usage error */
static enum gw_status
main_opts(int *argc, char ***argv, struct opts *o, struct gw_error *err)
{
	/*
	 * The envelope fields are G_OPTION_ARG_FILENAME: raw bytes, as the
	 * MTA passed them.  G_OPTION_ARG_STRING would convert them from the
	 * locale's charset (ASCII under pipe(8), which sets no locale) and
	 * refuse an SMTPUTF8 address such as jörg@example.de, deferring
	 * that mail on every retry.  ticket and log make them valid UTF-8.
	 */
	GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &o->config,
		    "Configuration file (default " CONF_DEFAULT_PATH
		    ", or $" CONF_ENV_PATH ")", "FILE" },
		{ "sender", 'f', 0, G_OPTION_ARG_FILENAME, &o->sender,
		    "Envelope sender (Postfix ${sender}); empty for <>",
		    "SENDER" },
		{ "recipient", 'r', 0, G_OPTION_ARG_FILENAME, &o->recipient,
		    "Envelope recipient (Postfix ${recipient})", "RECIPIENT" },
		{ "extension", 'x', 0, G_OPTION_ARG_FILENAME, &o->extension,
		    "Address extension (Postfix ${extension})", "EXTENSION" },
		{ "queue-id", 'q', 0, G_OPTION_ARG_FILENAME, &o->queue_id,
		    "MTA queue id, for the logs", "QUEUE_ID" },
		{ "dry-run", 'n', 0, G_OPTION_ARG_NONE, &o->dry_run,
		    "Do everything but the POST; print the request as JSON",
		    NULL },
		{ "verbose", 'v', G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK,
		    (gpointer)main_count_verbose,
		    "Log details to stderr too (repeatable)", NULL },
		{ "check-config", 0, 0, G_OPTION_ARG_NONE, &o->check_config,
		    "Validate the config and key file, print a summary, exit",
		    NULL },
		{ "check-api", 0, 0, G_OPTION_ARG_NONE, &o->check_api,
		    "Probe the note API (reachability, TLS, key, scope, "
		    "route) without creating a note, exit; optional "
		    "argument: a TICKET to probe (see mail2note(8))", NULL },
		{ "sign", 0, 0, G_OPTION_ARG_STRING, &o->sign,
		    "Print the signed form ID.TAG of a ticket ID (first key "
		    "of [ticket] address_key_file) and exit", "ID" },
		{ "address", 0, 0, G_OPTION_ARG_STRING, &o->address,
		    "With --sign: print the whole address, e.g. "
		    "support+ID.TAG@helpdesk.example.com", "ADDRESS" },
		{ "new-address-key", 0, 0, G_OPTION_ARG_NONE,
		    &o->new_address_key,
		    "Print a new random address-signing key line and exit",
		    NULL },
		{ "quarantine", 0, 0, G_OPTION_ARG_NONE, &o->quarantine,
		    "List the mails kept in [delivery] quarantine_dir (id, "
		    "age, sender, ticket, reason) and exit", NULL },
		{ "replay", 0, 0, G_OPTION_ARG_STRING, &o->replay,
		    "Deliver quarantined mail ID again as the MTA would (with "
		    "-x TICKET: to that ticket); removed when delivered", "ID" },
		{ "purge-quarantine", 0, 0, G_OPTION_ARG_INT, &o->purge_days,
		    "Remove quarantined mails older than DAYS days (0: all) "
		    "and exit", "DAYS" },
		{ "version", 0, 0, G_OPTION_ARG_NONE, &o->version,
		    "Print the version and exit", NULL },
		{ "help", 'h', 0, G_OPTION_ARG_NONE, &o->help,
		    "Print this help and exit", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	GOptionContext *ctx;
	GOptionGroup *group;
	GError *gerr = NULL;
	enum gw_status st = GW_OK;

	/*
	 * GLib's own --help would print "[OPTION…]" converted to the
	 * locale's charset: "[OPTION?]" under pipe(8)'s C locale.  Ours
	 * prints plain ASCII, to stdout, and exits through main().
	 */
	ctx = g_option_context_new("< message");
	g_option_context_set_help_enabled(ctx, FALSE);
	g_option_context_set_summary(ctx,
	    "Add one email, read from standard input, to a helpdesk ticket "
	    "as an internal note.\nRun by Postfix pipe(8) or an Exim pipe "
	    "transport; see mail2note(8) and mail2note.conf(5).");
	g_option_context_set_description(ctx, "Other forms:\n"
	    "  mail2note [-c FILE] --check-config\n"
	    "  mail2note [-c FILE] --check-api [TICKET]\n"
	    "  mail2note [-c FILE] --sign ID [--address ADDRESS]\n"
	    "  mail2note --new-address-key\n"
	    "  mail2note [-c FILE] --quarantine | --replay ID [-x TICKET] [-n]"
	    " | --purge-quarantine DAYS\n");
	group = g_option_group_new(NULL, NULL, NULL, o, NULL);
	g_option_group_add_entries(group, entries);
	g_option_context_set_main_group(ctx, group);
	if (!g_option_context_parse(ctx, argc, argv, &gerr)) {
		st = gw_error_set(err, GW_ECONFIG, "usage: %s%s", gerr->message,
		    main_usage_hint());
		g_error_free(gerr);
	} else if (o->help) {
		o->help_text = main_help_text(ctx);
	} else if (o->check_api && *argc == 2) {
		/* --check-api [TICKET]: the one positional argument. */
		o->check_ticket = g_strdup((*argv)[1]);
	} else if (*argc > 1) {
		st = gw_error_set(err, GW_ECONFIG,
		    "usage: unexpected argument '%.60s'%s", (*argv)[1],
		    main_usage_hint());
	} else if (o->address != NULL && o->sign == NULL) {
		st = gw_error_set(err, GW_ECONFIG,
		    "usage: --address goes with --sign ID");
	} else if (o->purge_days < -1 || o->purge_days > 36500) {
		st = gw_error_set(err, GW_ECONFIG,
		    "usage: --purge-quarantine DAYS: 0 to 36500");
	} else if (o->replay != NULL && (o->sender != NULL ||
	    o->recipient != NULL)) {
		st = gw_error_set(err, GW_ECONFIG, "usage: --replay takes the "
		    "envelope from the quarantine; only -x TICKET may be given");
	}
	g_option_context_free(ctx);
	return st;
}

/*
 * main_flush_stdout - push out what -n, --check-config or --version
 * printed and check that all of it was written (a full disk, a closed
 * pipe); GW_ETEMP otherwise.  ferror() catches a failure of an earlier
 * write that the final fflush() would not report.
 */
static enum gw_status
main_flush_stdout(struct gw_error *err)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		return gw_error_set(err, GW_ETEMP,
		    "cannot write to standard output");
	return GW_OK;
}

/* main_opts_free - free what GOption allocated */
static void
main_opts_free(struct opts *o)
{
	g_free(o->config);
	g_free(o->sender);
	g_free(o->recipient);
	g_free(o->extension);
	g_free(o->queue_id);
	g_free(o->sign);
	g_free(o->address);
	g_free(o->check_ticket);
	g_free(o->replay);
	g_free(o->help_text);
}

/*
 * main_log_summary - the one line per message: info when it was
 * delivered or discarded, an error (with the DSN and the reason the MTA
 * was given) when it bounced or was deferred.
 */
static void
main_log_summary(const struct outcome *oc, gint64 start_us,
    const struct gw_error *err)
{
	char *mid = log_sanitize(oc->message_id, 200);
	char *why;
	long ms = (long)((g_get_monotonic_time() - start_us) / 1000);
	char *q, *raw;

	/* A refusal that bounced says why in the log, not in the DSN. */
	raw = err->code && oc->verdict != NULL ? g_strdup_printf("%s: %s",
	    err->text, oc->verdict) : g_strdup(err->code ? err->text :
	    oc->reason);
	why = log_sanitize(raw, 400);
	g_free(raw);
	for (q = why; *q; q++)
		if (*q == '"')
			*q = '\'';
	(err->code ? log_error : log_info)("message-id=<%s> ticket=%s "
	    "source=%s http=%ld bytes=%zu outcome=%s%s%s%s%s%s%s%s%s ms=%ld"
	    "%s%s%s", mid, oc->ticket[0] ? oc->ticket : "-",
	    oc->source ? oc->source : "-", oc->http_status, oc->bytes,
	    oc->what, oc->ambiguous ? " ambiguous=yes" : "",
	    oc->journal != NULL ? oc->journal : "",
	    err->code ? " dsn=" : "", err->code ? status_dsn(err->code) : "",
	    oc->quarantined[0] ? " quarantine=" : "", oc->quarantined,
	    oc->replay != NULL ? " replay=" : "",
	    oc->replay != NULL ? oc->replay : "", ms,
	    *why ? " reason=\"" : "", why, *why ? "\"" : "");
	g_free(why);
	g_free(mid);
}

/* main_event - how one API outcome counts for the circuit breaker */
static enum state_event
main_event(enum gw_status st, const struct api_result *res)
{
	if (st == GW_ERATELIMIT)
		return STATE_EV_NEUTRAL;
	if (res->http_status >= 500 || st == GW_ENETWORK ||
	    st == GW_ETIMEOUT || res->ambiguous)
		return STATE_EV_FAILURE;
	if (res->http_status == 0)
		/* No request went out (config, memory): says nothing. */
		return STATE_EV_NEUTRAL;
	return STATE_EV_SUCCESS;
}

/*
 * main_post - the POST, guarded by the state directory:
 *
 *	journal "posted"? -> done, no request
 *	pause or open circuit? -> defer, no request
 *	per-mail lock, journal again (a concurrent twin may have posted)
 *	record "attempt" (fsync'd), POST, record the outcome
 *
 * The "attempt" record, written before the request, is what makes kill
 * -9 between the 2xx and the "posted" record visible: the retry finds
 * "attempt", posts again with the same Idempotency-Key and logs it as
 * ambiguous=yes, the one case where a non-idempotent API can get a
 * duplicate.  A 429 with a short retryAfter that fits the time budget is
 * waited out once; a longer one pauses every process.  *res_r gets the
 * last answer (zeros when no request was sent).
 */
static enum gw_status
main_post(const struct conf *conf, struct state *state,
    const struct api_config *api, const char *ticket, const char *json,
    size_t json_len, const char *idem, struct outcome *oc,
    struct api_result *res_r, struct gw_error *err)
{
	struct api_result res = { .retry_after = -1 };
	enum state_record prior;
	enum gw_status st, jst;
	struct gw_error jerr;
	gint64 start = g_get_monotonic_time();
	long waited;
	int tries;

	if (state_lookup(state, idem) == STATE_POSTED) {
		oc->journal = " journal=hit";
		oc->what = "delivered";
		return GW_OK;
	}
	st = state_gate(state, time(NULL), err);
	if (st != GW_OK)
		return st;
	/* Wait for a twin at most as long as leaves our own POST its time. */
	st = state_mail_lock(state, idem, 1000 * MIN(conf->timeout,
	    MAIN_ALARM_MARGIN - 10), err);
	if (st != GW_OK)
		return st;
	prior = state_lookup(state, idem);
	if (prior == STATE_POSTED) {
		oc->journal = " journal=hit";
		oc->what = "delivered";
		return GW_OK;
	}
	if (prior == STATE_ATTEMPT) {
		log_warn("an earlier attempt at this mail was interrupted "
		    "after sending; posting again with the same "
		    "Idempotency-Key");
		oc->ambiguous = true;
	}
	if (prior == STATE_NONE &&
	    (st = state_record(state, idem, STATE_ATTEMPT, err)) != GW_OK)
		return st;

	for (tries = 0;; tries++) {
		st = api_post(api, ticket, json, json_len, idem, &res, err);
		oc->http_status = res.http_status;
		state_report(state, main_event(st, &res), time(NULL));
		if (st != GW_ERATELIMIT || tries > 0)
			break;
		/* Wait only if the retry still fits under the alarm. */
		waited = (long)((g_get_monotonic_time() - start) / G_USEC_PER_SEC);
		if (res.retry_after < 0 || res.retry_after > conf->max_wait ||
		    waited + res.retry_after + conf->timeout + 5 >
		    conf->timeout + MAIN_ALARM_MARGIN)
			break;
		log_info("API rate limit: waiting %lds, then one retry",
		    res.retry_after);
		g_usleep((gulong)res.retry_after * G_USEC_PER_SEC);
	}
	if (st == GW_ERATELIMIT)
		state_pause(state, time(NULL), res.retry_after);

	gw_error_clear(&jerr);
	if (st == GW_OK) {
		oc->what = "delivered";
		jst = state_record(state, idem, STATE_POSTED, &jerr);
	} else if (res.ambiguous || prior != STATE_NONE) {
		oc->ambiguous = oc->ambiguous || res.ambiguous;
		jst = state_record(state, idem, STATE_AMBIGUOUS, &jerr);
	} else {
		/* A definite answer: the API does not have the note. */
		jst = state_record(state, idem, STATE_NONE, &jerr);
	}
	if (jst != GW_OK)
		log_warn("%s", jerr.text);
	*res_r = res;
	return st;
}

/* main_api_config - the API settings of conf, for api_post/api_check */
static void
main_api_config(const struct conf *conf, const struct secret *key,
    struct api_config *api_r)
{
	memset(api_r, 0, sizeof(*api_r));
	api_r->base_url = conf->base_url;
	api_r->ca_file = conf->ca_file;
	api_r->timeout = conf->timeout;
	api_r->connect_timeout = conf->connect_timeout;
	api_r->key = key;
	api_r->user_agent = "mail2note/" MAIL2NOTE_VERSION;
}

/* main_trim - give back the heap's free pages, which glibc keeps below its
 * top (a lower mmap threshold cost 40-60 ms of page faults a mail) */
static void
main_trim(void)
{
#ifdef __GLIBC__
	(void)malloc_trim(0);
#endif
}

/* main_deliver - message -> ticket -> note -> api, for a loaded config
 * and the message spooled in sp */
static enum gw_status
main_deliver(const struct opts *o, const struct conf *conf,
    const struct ticket_rules *rules, const struct policy_rules *policy,
    const struct secret *key, struct state *state, const struct spool *sp,
    struct outcome *oc, struct gw_error *err)
{
	struct message_limits limits = {
		.max_size = conf->max_message_size,
		.max_depth = conf->max_mime_depth,
		.max_parts = conf->max_mime_parts,
		.max_body = (size_t)conf->max_note_size,
		.max_inline_text = (size_t)conf->max_inline_text,
	};
	struct api_config api;
	struct message *msg = NULL;
	struct note *note = NULL;
	char *json = NULL;
	char *described = NULL;
	size_t json_len = 0;
	char idem[SECRET_IDEMPOTENCY_HEX + 1];
	struct ticket_input tin;
	struct policy_input pin;
	struct api_result res = { .retry_after = -1 };
	char verdict[POLICY_REASON_MAX];
	const char *why;
	enum gw_status st;

	main_api_config(conf, key, &api);
	st = message_parse_spool(sp, &limits, &msg, err);
	if (st != GW_OK)
		goto out;
	oc->message_id = g_strdup(msg->message_id);
	if (msg->warnings > 0)
		log_warn("message has %u MIME format problems; parsed anyway",
		    msg->warnings);
	if (msg->limits_hit)
		log_warn("MIME depth or part limit reached; some parts "
		    "were skipped");
	if (msg->fields_skipped > 0)
		log_warn("%" PRIu64 " header fields past the first %d were "
		    "skipped", msg->fields_skipped, HEADBLOCK_MAX_FIELDS);

	why = message_automatic(msg, o->sender);
	if (why != NULL && conf->discard_automatic) {
		oc->reason = g_strdup_printf("automatic message (%s)", why);
		oc->what = "discarded";
		st = GW_OK;
		goto out;
	}

	if (policy != NULL) {
		pin.from = (const char *const *)msg->from_addrs;
		pin.auth_results = (const char *const *)msg->auth_results;
		oc->authenticated = policy_check(policy, &pin, verdict,
		    sizeof(verdict));
		oc->verdict = g_strdup(verdict);
		if (o->dry_run)
			fprintf(stderr, "mail2note: sender policy: %s: %s\n",
			    oc->authenticated ? "allowed" : "refused",
			    verdict);
		if (!oc->authenticated && conf->refused_bounce) {
			st = gw_error_set(err, GW_ENOPERM,
			    "sender not allowed to add notes to tickets");
			goto out;
		}
		oc->keep = !oc->authenticated;
		if (!oc->authenticated) {
			oc->reason = g_strdup_printf("sender policy: %s",
			    verdict);
			oc->what = "refused";
			st = GW_OK;
			goto out;
		}
	}

	tin.recipient = o->recipient;
	tin.extension = o->extension;
	tin.subject = msg->subject;
	tin.in_reply_to = msg->in_reply_to;
	tin.references = msg->references;
	if (o->ticket != NULL) {
		/* --replay -x TICKET: the administrator's choice. */
		g_strlcpy(oc->ticket, o->ticket, sizeof(oc->ticket));
		oc->source = "replay";
	} else {
		st = ticket_extract(rules, &tin, oc->ticket, &oc->source, err);
		if (st != GW_OK)
			goto out;
	}

	st = note_render_take(msg, (size_t)conf->max_note_size,
	    conf->split_history, &note, err);
	if (st != GW_OK)
		goto out;
	if (note->truncated)
		log_warn("note truncated to the %llu-byte limit",
		    (unsigned long long)conf->max_note_size);
	/* The note holds all it needs: the bodies go before the JSON is
	 * made (oc->message_id is the Message-ID from here on). */
	message_free(&msg);
	st = note_to_json(note, &json, &json_len, err);
	if (st != GW_OK)
		goto out;
	oc->bytes = json_len;

	/*
	 * The key names this mail: ticket, Message-ID and the note itself.
	 * A retry renders the same note, so it sends the same key; two
	 * mails that share a Message-ID (or have none) differ in their note.
	 */
	secret_idempotency_key(oc->ticket, oc->message_id, json, json_len,
	    idem);
	/* The bodies are in the JSON now (a refused body_html gets its
	 * text back from it); their pages go back before the post. */
	g_free(note->body_html);
	g_free(note->body_text);
	note->body_html = note->body_text = NULL;
	main_trim();

	if (o->dry_run) {
		described = api_describe(&api, oc->ticket, json, json_len, idem,
		    true);
		/* A failed fputs() sets the error flag main_flush_stdout()
		 * checks. */
		(void)fputs(described, stdout);
		(void)fputc('\n', stdout);
		st = main_flush_stdout(err);
		if (st != GW_OK)
			goto out;
		oc->what = "dry-run";
		goto out;
	}

	st = main_post(conf, state, &api, oc->ticket, json, json_len, idem, oc,
	    &res, err);
	if (st == GW_EDATA && res.markup_refused) {
		/*
		 * The API refused our HTML, not the note: post once more, at
		 * once, with HTML made from the text (<p> and <br> only).  A
		 * different request, so its own key, which a retry of this
		 * mail derives again; if it fails too, its answer decides.
		 */
		log_warn("the note API refused body_html (%ld); posting "
		    "again with HTML made from the text", res.http_status);
		st = note_text_from_json(note, json, json_len, err);
		if (st != GW_OK)
			goto out;
		note_plain_html(note);
		g_free(json);
		json = NULL;
		st = note_to_json(note, &json, &json_len, err);
		if (st != GW_OK)
			goto out;
		oc->bytes = json_len;
		secret_idempotency_key(oc->ticket, oc->message_id, json,
		    json_len, idem);
		gw_error_clear(err);
		st = main_post(conf, state, &api, oc->ticket, json, json_len, idem,
		    oc, &res, err);
	}

out:
	g_free(described);
	g_free(json);
	note_free(&note);
	message_free(&msg);
	main_trim();	/* before the exit path's own pages */
	return st;
}

/*
 * main_root_refused - like pipe(8), do not parse hostile mail as root.
 * MAIL2NOTE_ALLOW_ROOT=1 is for test suites that run as root in a
 * throw-away container; the MTA never passes it (Postfix's pipe clears
 * the environment, Exim's keeps only what the transport sets).
 */
static int
main_root_refused(void)
{
	const char *allow;

	if (getuid() != 0 && geteuid() != 0)
		return 0;
	allow = getenv("MAIL2NOTE_ALLOW_ROOT");
	return allow == NULL || strcmp(allow, "1") != 0;
}

/*
 * main_sign - --sign ID [--address ADDRESS]: print ID.TAG, or the whole
 * address local+ID.TAG@domain with the first recipient delimiter
 */
static enum gw_status
main_sign(const struct opts *o, const struct conf *conf,
    const struct secret_keyring *keys, struct gw_error *err)
{
	char tag[SECRET_TAG_CHARS + 1];
	const char *at, *p;

	if (!ticket_id_valid(o->sign))
		return gw_error_set(err, GW_ECONFIG, "usage: --sign: '%.60s' "
		    "is not a ticket ID (letters, digits, '_' and '-', at "
		    "most %d)", o->sign, TICKET_ID_MAX);
	if (secret_keyring_count(keys) == 0)
		return gw_error_set(err, GW_ECONFIG, "--sign needs [ticket] "
		    "address_key_file in %s (make one with "
		    "--new-address-key)", conf->path);
	secret_address_tag(keys, o->sign, tag);
	if (o->address == NULL) {
		printf("%s.%s\n", o->sign, tag);
		return main_flush_stdout(err);
	}
	for (p = o->address; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    *p == '<' || *p == '>' || *p == '"')
			break;
	at = strrchr(o->address, '@');
	if (*p != '\0' || at == NULL || at == o->address || at[1] == '\0')
		return gw_error_set(err, GW_ECONFIG, "usage: --address: "
		    "'%.60s' is not an address like support@helpdesk.example."
		    "com", o->address);
	for (p = o->address; p < at; p++)
		if (strchr(conf->recipient_delimiter, *p) != NULL)
			return gw_error_set(err, GW_ECONFIG, "usage: --address: "
			    "'%.60s' has an extension already; give the plain "
			    "address", o->address);
	printf("%.*s%c%s.%s%s\n", (int)(at - o->address), o->address,
	    conf->recipient_delimiter[0], o->sign, tag, at);
	return main_flush_stdout(err);
}

/*
 * main_check_api - --check-api [TICKET]: probe the API without creating
 * a note; the findings go to stdout, one per line.  GW_OK when none is a
 * problem; otherwise the first problem's status, always a deferral (75).
 */
static enum gw_status
main_check_api(const struct opts *o, const struct conf *conf,
    const struct secret *key, struct gw_error *err)
{
	struct api_config api;
	struct gw_error werr;
	char *report = NULL;
	enum gw_status st;

	if (o->check_ticket != NULL && !ticket_id_valid(o->check_ticket))
		return gw_error_set(err, GW_ECONFIG, "usage: --check-api: "
		    "'%.60s' is not a ticket ID (letters, digits, '_' and '-', "
		    "at most %d)", o->check_ticket, TICKET_ID_MAX);
	main_api_config(conf, key, &api);
	alarm((unsigned)(conf->timeout + MAIN_ALARM_MARGIN));
	st = api_check(&api, o->check_ticket, &report, err);
	alarm(0);
	if (report != NULL)
		(void)fputs(report, stdout);
	g_free(report);
	/* A problem found outranks a failed write of the report. */
	if (main_flush_stdout(&werr) != GW_OK && st == GW_OK)
		st = gw_error_set(err, werr.code, "%s", werr.text);
	return st;
}

/* main_new_address_key - --new-address-key: one fresh key line */
static enum gw_status
main_new_address_key(struct gw_error *err)
{
	char hex[SECRET_ADDRESS_KEY_HEX + 1];
	enum gw_status st;

	secret_new_address_key(hex);
	printf("%s\n", hex);
	st = main_flush_stdout(err);
	secret_wipe(hex, sizeof(hex));
	return st;
}

/*
 * main_no_backscatter - with a [sender] policy, a bounce for a sender
 * that did not pass it would go to a possibly forged address: turn it
 * into a discard, logged with the DSN it would have had.  The policy's
 * own refusal (refused = bounce) is the administrator's choice and stays.
 */
static enum gw_status
main_no_backscatter(enum gw_status st, struct outcome *oc,
    struct gw_error *err)
{
	if (!oc->policy || oc->authenticated || st == GW_OK ||
	    st == GW_ENOPERM || !status_is_permanent(st))
		return st;
	g_free(oc->reason);
	oc->reason = g_strdup_printf("not bounced to a sender that did not "
	    "pass the sender policy (%s): %s %s", oc->verdict != NULL ?
	    oc->verdict : "the message could not be read", status_dsn(st),
	    err->text);
	oc->what = "discarded";
	oc->keep = true;
	gw_error_clear(err);
	return GW_OK;
}

/*
 * main_keep - a mail that the helpdesk does not get (it bounces, or is
 * refused or discarded for the sender policy) is first stored whole in
 * the quarantine.  When that fails the mail is deferred instead: the MTA
 * keeps it, and nobody loses it.  A full quarantine keeps nothing and
 * says so; the outcome stands.
 */
static enum gw_status
main_keep(const struct opts *o, struct quarantine *q, struct spool *sp,
    struct outcome *oc, enum gw_status st, struct gw_error *err)
{
	struct quarantine_meta meta;
	struct gw_error qerr;
	bool kept;
	bool bounce = st != GW_OK && status_is_permanent(st);

	if (q == NULL || !(bounce || (st == GW_OK && oc->keep)))
		return st;
	memset(&meta, 0, sizeof(meta));
	meta.queue_id = g_strdup(o->queue_id);
	meta.sender = g_strdup(o->sender);
	meta.recipient = g_strdup(o->recipient);
	meta.extension = g_strdup(o->extension);
	meta.message_id = g_strdup(oc->message_id);
	meta.ticket = oc->ticket[0] ? g_strdup(oc->ticket) : NULL;
	meta.outcome = g_strdup(bounce ? "bounced" : oc->what);
	meta.dsn = bounce ? g_strdup(status_dsn(st)) : NULL;
	meta.reason = g_strdup(bounce ? err->text : oc->reason);
	gw_error_clear(&qerr);
	if (quarantine_store(q, sp, &meta, &kept, &qerr) != GW_OK) {
		log_error("not %s: %s", meta.outcome, qerr.text);
		st = gw_error_set(err, GW_ETEMP, "cannot keep the mail in "
		    "quarantine_dir, so it is deferred, not %s: %s",
		    meta.outcome, qerr.text);
	} else if (!kept)
		log_warn("quarantine_dir is full (quarantine_max_size): this "
		    "mail is %s without a copy kept", meta.outcome);
	else
		g_strlcpy(oc->quarantined, meta.id, sizeof(oc->quarantined));
	quarantine_meta_clear(&meta);
	return st;
}

/* main_quarantine_cmd - --quarantine and --purge-quarantine DAYS */
static enum gw_status
main_quarantine_cmd(const struct opts *o, const struct conf *conf,
    struct gw_error *err)
{
	struct quarantine *q = NULL;
	enum gw_status st;
	uint64_t bytes;
	unsigned n;

	st = quarantine_open(conf->quarantine_dir,
	    conf->quarantine_max_size, &q, err);
	if (st != GW_OK)
		return st;
	if (o->quarantine)
		st = quarantine_list(q, time(NULL), stdout, err);
	else {
		st = quarantine_purge(q, time(NULL), o->purge_days, &n,
		    &bytes, err);
		if (st == GW_OK)
			printf("purged %u mail%s (%" G_GUINT64_FORMAT " bytes) "
			    "from %s\n", n, n == 1 ? "" : "s", bytes,
			    conf->quarantine_dir);
	}
	if (st == GW_OK)
		st = main_flush_stdout(err);
	quarantine_close(&q);
	return st;
}

/*
 * main_replay - --replay ID [-x TICKET]: deliver a quarantined mail
 * again with the envelope it came with, as the MTA would (sender policy
 * included), or to TICKET.  Delivered: removed from the quarantine.
 * Otherwise it stays, its sidecar counting the replay, and the run fails
 * with the reason: here nothing is bounced or discarded, an
 * administrator is reading.
 */
static enum gw_status
main_replay(const struct opts *o, const struct conf *conf,
    const struct ticket_rules *rules, const struct policy_rules *policy,
    const struct secret *key, struct state *state, struct quarantine *q,
    struct outcome *oc, struct gw_error *err)
{
	struct quarantine_meta meta;
	struct gw_error qerr;
	struct spool sp = { .fd = -1, .src = -1 };
	struct opts r = *o;
	enum gw_status st;
	int fd;

	if (o->extension != NULL && !ticket_id_valid(o->extension))
		return gw_error_set(err, GW_ECONFIG, "usage: --replay ID -x "
		    "TICKET: '%.60s' is not a ticket ID", o->extension);
	st = quarantine_load(q, o->replay, &meta, &fd, err);
	if (st != GW_OK)
		return st;
	r.sender = meta.sender;
	r.recipient = meta.recipient;
	r.extension = meta.extension;
	r.ticket = o->extension;
	oc->replay = o->replay;
	if (meta.queue_id != NULL)
		log_set_queue_id(meta.queue_id);

	alarm((unsigned)(conf->timeout + MAIN_ALARM_MARGIN));
	st = spool_input(fd, conf->max_message_size,
	    conf->max_mime_parts, &sp, err);
	if (st == GW_OK)
		st = main_deliver(&r, conf, rules, policy, key, state, &sp, oc,
		    err);
	alarm(0);
	spool_close(&sp);
	(void)close(fd);
	if (st == GW_OK && !o->dry_run && strcmp(oc->what, "delivered") != 0)
		st = gw_error_set(err, oc->keep ? GW_ENOPERM : GW_EDATA,
		    "not delivered: %s", oc->reason != NULL ? oc->reason :
		    oc->what);
	gw_error_clear(&qerr);
	if (o->dry_run) {
		/* -n: a look, no change */
	} else if (st == GW_OK) {
		printf("%s: delivered to ticket %s%s\n", meta.id, oc->ticket,
		    oc->journal != NULL ? " (it was already)" : "");
		if (quarantine_remove(q, meta.id, &qerr) != GW_OK)
			log_warn("delivered, but still in the quarantine: %s",
			    qerr.text);
		st = main_flush_stdout(err);
	} else {
		meta.replays++;
		meta.replayed = time(NULL);
		g_free(meta.outcome);
		g_free(meta.dsn);
		g_free(meta.reason);
		meta.outcome = g_strdup(status_is_permanent(st) ? "bounced" :
		    "deferred");
		meta.dsn = g_strdup(status_dsn(st));
		meta.reason = g_strdup(err->text);
		if (quarantine_update(q, &meta, &qerr) != GW_OK)
			log_warn("%s", qerr.text);
	}
	quarantine_meta_clear(&meta);
	return st;
}

/*
 * main_syslog_warn - with -v and --check-config: say once that syslog(3)
 * drops every line, when nothing listens on /dev/log (a container, a
 * Debian 12 without rsyslog and journald) and no [log] file is set
 */
static void
main_syslog_warn(const struct conf *conf)
{
	char why[128];

	if (conf->log_file == NULL && !log_syslog_reachable(why, sizeof(why)))
		log_warn("syslog is unreachable (%s), so log lines are lost: "
		    "run a syslog daemon (rsyslog) or set [log] file", why);
}

/*
 * main_setup - the [log] file, the syslog check and the spool directory.
 * A log file that cannot be opened costs its lines, never the mail: a
 * warning (to syslog; to stderr only in runs by hand).  --check-config
 * fails on it instead, and creates (and drops) one spool file, so that a
 * bad spool_dir shows now rather than as deferred mail.
 */
static enum gw_status
main_setup(const struct opts *o, const struct conf *conf,
    struct gw_error *err)
{
	char why[128], me[64];
	int fd, saved;

	spool_set_dir(conf->spool_dir);
	if (log_set_file(conf->log_file, why, sizeof(why)) != 0) {
		confdiag_user(geteuid(), me, sizeof(me));
		if (o->check_config)
			return gw_error_set(err, GW_ECONFIG, "[log] file %s: "
			    "%s (mail2note runs as %s)", conf->log_file, why,
			    me);
		log_warn("cannot open [log] file %s: %s (mail2note runs as "
		    "%s); lines go to syslog only", conf->log_file, why, me);
	} else if (o->verbose > 0 && !o->check_config)
		main_syslog_warn(conf);
	if (!o->check_config)
		return GW_OK;
	fd = spool_tmpfile();
	if (fd == -1) {
		saved = errno;
		return gw_error_set(err, GW_ECONFIG, "cannot create a spool "
		    "file in %s ([delivery] spool_dir): %s", spool_get_dir(),
		    g_strerror(saved));
	}
	(void)close(fd);
	return GW_OK;
}

/*
 * main_say_not_posted - exit 0 without a note (discarded, refused): one
 * line on stdout.  Postfix's pipe(8) adds the first 100 bytes of it to
 * its "status=sent (delivered via ... service)" entry, so that its log
 * tells a discarded mail from a posted one.  Exim ignores the output of
 * a successful pipe unless the transport sets return_output (which would
 * bounce: the snippet does not set it).
 */
static void
main_say_not_posted(const struct outcome *oc)
{
	char *why = log_sanitize(oc->reason, 80);

	printf("%s, no note: %s\n", oc->what, why);
	(void)fflush(stdout);
	g_free(why);
}

/* main_run - everything after option parsing; fills *err on failure */
static enum gw_status
main_run(const struct opts *o, struct outcome *oc, struct gw_error *err)
{
	struct conf *conf = NULL;
	struct ticket_rules *rules = NULL;
	struct policy_rules *policy = NULL;
	struct secret_keyring *keys = NULL;
	struct secret *key = NULL;
	struct state *state = NULL;
	struct quarantine *q = NULL;
	struct spool sp = { .fd = -1, .src = -1 };
	enum gw_status st;
	char cmd[128];

	if (main_root_refused()) {
		/* By hand (a terminal, an admin command): say how. */
		confdiag_runuser((uid_t)-1, cmd, sizeof(cmd));
		return gw_error_set(err, GW_ECONFIG, "refusing to run as root: "
		    "run mail2note as an unprivileged user (Postfix pipe "
		    "user=, Exim transport user)%s%s", o->check_config ||
		    isatty(STDERR_FILENO) ? "; by hand: " : "",
		    o->check_config ? cmd : isatty(STDERR_FILENO) ?
		    "runuser -u " CONFDIAG_USER " -- mail2note ..." : "");
	}
	st = conf_load(o->config, &conf, err);
	if (st == GW_OK)
		st = main_setup(o, conf, err);
	if (st != GW_OK)
		goto out;
	if (o->quarantine || o->purge_days >= 0) {
		st = main_quarantine_cmd(o, conf, err);
		goto out;
	}
	st = keyfile_load_address_keys(conf, &keys, err);
	if (st != GW_OK)
		goto out;
	if (o->sign != NULL) {
		st = main_sign(o, conf, keys, err);
		goto out;
	}
	st = ticket_rules_new((const char *const *)conf->sources,
	    conf->extension_pattern, conf->subject_pattern,
	    conf->references_pattern, conf->recipient_delimiter, &rules, err);
	if (st != GW_OK)
		goto out;
	ticket_rules_set_signing(rules, keys, conf->require_signature);
	if (conf->sender_policy) {
		st = policy_rules_new((const char *const *)conf->sender_allow,
		    conf->authserv_id, (enum policy_require)conf->sender_require,
		    &policy, err);
		if (st != GW_OK)
			goto out;
	}
	oc->policy = policy != NULL;
	st = keyfile_load_api_key(conf, &key, err);
	if (st != GW_OK)
		goto out;
	/* -n posts nothing, so it needs (and touches) no state. */
	if (!o->dry_run) {
		st = state_open(conf->state_dir, conf->journal_days, &state,
		    err);
		if (st != GW_OK)
			goto out;
	}
	/* A replay -n reads from it, nothing else of -n needs it. */
	if (!o->dry_run || o->replay != NULL) {
		st = quarantine_open(conf->quarantine_dir,
		    conf->quarantine_max_size, &q, err);
		if (st != GW_OK)
			goto out;
	}

	if (o->check_api) {
		st = main_check_api(o, conf, key, err);
		goto out;
	}
	if (o->check_config) {
		main_syslog_warn(conf);
		conf_warn(conf);
		conf_print(conf, stdout);
		keyfile_print_api_key(conf, key, stdout);
		keyfile_print_address_keys(conf, keys, stdout);
		st = main_flush_stdout(err);
		goto out;
	}

	if (o->replay != NULL) {
		st = main_replay(o, conf, rules, policy, key, state, q, oc,
		    err);
		goto out;
	}

	/* The whole delivery, parse and quarantine included, must end
	 * before the MTA gives up on us. */
	alarm((unsigned)(conf->timeout + MAIN_ALARM_MARGIN));
	st = spool_input(STDIN_FILENO, conf->max_message_size,
	    conf->max_mime_parts, &sp, err);
	if (st == GW_OK)
		st = main_deliver(o, conf, rules, policy, key, state, &sp, oc,
		    err);
	st = main_no_backscatter(st, oc, err);
	if (!o->dry_run)
		st = main_keep(o, q, &sp, oc, st, err);
	alarm(0);

out:
	spool_close(&sp);
	quarantine_close(&q);
	state_close(&state);
	secret_free(&key);
	policy_rules_free(&policy);
	ticket_rules_free(&rules);
	secret_keyring_free(&keys);
	conf_free(&conf);
	return st;
}

int
main(int argc, char **argv)
{
	struct opts o = { .purge_days = -1 };
	struct outcome oc = { .what = "failed" };
	struct gw_error err;
	struct sigaction sa;
	gint64 start = g_get_monotonic_time();
	int logging = 0;
	enum gw_status st;
	char line[256];
	char warning[GW_ERROR_TEXT_MAX];
	int code;

	gw_error_clear(&err);
	main_alarm_exit = status_exit(GW_ETIMEOUT);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = main_alarm;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGALRM, &sa, NULL);

	/* Parsing the options reads no secret; logging then comes first,
	 * so that nothing set up after it warns into the void. */
	st = main_opts(&argc, &argv, &o, &err);
	if (st != GW_OK)
		goto report;
	log_init("mail2note", o.verbose, o.dry_run || o.check_config ||
	    o.check_api || o.replay != NULL || o.quarantine ||
	    o.purge_days >= 0);
	logging = 1;
	if (o.queue_id != NULL)
		log_set_queue_id(o.queue_id);
	/* Core dumps off and libsodium ready before any secret is read. */
	st = secret_init(warning, sizeof(warning), &err);
	if (st != GW_OK)
		goto report;
	if (warning[0] != '\0')
		log_warn("%s", warning);
	api_global_init();
	if (o.version) {
		printf("mail2note %s\n", MAIL2NOTE_VERSION);
		st = main_flush_stdout(&err);
		goto report;
	}
	if (o.help) {
		(void)fputs(o.help_text, stdout);
		st = main_flush_stdout(&err);
		goto report;
	}
	/* Needs no config and reads no mail: fine as root too. */
	if (o.new_address_key) {
		st = main_new_address_key(&err);
		goto report;
	}
	message_init();

	st = status_settle(main_run(&o, &oc, &err), &err);
	if (!o.check_config && !o.check_api && o.sign == NULL &&
	    !o.quarantine && o.purge_days < 0) {
		if (err.code != GW_OK)
			oc.what = status_is_permanent(err.code) ? "bounced" :
			    "deferred";
		main_log_summary(&oc, start, &err);
		logging = 0;		/* the summary said it all */
		if (!o.dry_run && o.replay == NULL && err.code == GW_OK &&
		    (strcmp(oc.what, "discarded") == 0 ||
		    strcmp(oc.what, "refused") == 0))
			main_say_not_posted(&oc);
		/* -n prints the request; say why there is none. */
		if (o.dry_run && oc.reason != NULL && o.verbose == 0)
			fprintf(stderr, "mail2note: not posted: %s\n",
			    oc.reason);
	}
	g_free(oc.message_id);
	g_free(oc.reason);
	g_free(oc.verdict);
	message_shutdown();

report:
	/* From here on err alone decides: the exit code and the DSN line. */
	(void)status_settle(st, &err);
	if (err.code != GW_OK) {
		if (logging)
			log_error("%s", err.text);
		status_format_line(&err, line, sizeof(line));
		fprintf(stderr, "%s\n", line);
	}
	code = status_exit(err.code);
	log_close();
	spool_set_dir(NULL);
	api_global_cleanup();
	main_opts_free(&o);
	return code;
}
