/*
 * fuzz_message.c - LLVMFuzzerTestOneInput over the whole pure pipeline:
 * message_parse_mem -> message_automatic -> ticket_extract -> note_render
 * -> note_to_json.  Built with clang -fsanitize=fuzzer by `make fuzz`, or
 * with tests/fuzz/driver.c as a plain program that replays files (the
 * seeds in samples/ and a crash file).
 */
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "message.h"
#include "note.h"
#include "status.h"
#include "ticket.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ticket_rules *rules;

/* fuzz_setup - once: GMime and the default ticket rules */
static void
fuzz_setup(void)
{
	static const char *const sources[] = { "extension", "subject",
	    "references", NULL };
	struct gw_error err;

	message_init();
	if (ticket_rules_new(sources,
	    "^(?<id>[A-Za-z0-9][A-Za-z0-9_-]{0,63})$",
	    "\\[#(?<id>[A-Za-z0-9][A-Za-z0-9_-]{0,63})\\]",
	    "<ticket-(?<id>[A-Za-z0-9][A-Za-z0-9_-]{0,63})@", "+",
	    &rules, &err) != GW_OK)
		g_error("ticket rules: %s", err.text);
}

/* LLVMFuzzerTestOneInput - one input through everything but the network */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct message_limits limits = {
		.max_size = 8 * 1024 * 1024,
		.max_depth = 32,
		.max_parts = 500,
		.max_body = 256 * 1024,
	};
	struct message *msg = NULL;
	struct note *note = NULL;
	struct ticket_input tin = { 0 };
	struct gw_error err;
	char id[TICKET_ID_MAX + 1];
	char *json = NULL;
	size_t len = 0;

	if (rules == NULL)
		fuzz_setup();
	if (message_parse_mem((const char *)data, size, &limits, &msg,
	    &err) != GW_OK)
		return 0;
	(void)message_automatic(msg, "someone@example.com");
	tin.recipient = "support+T1@example.com";
	tin.subject = msg->subject;
	tin.references = msg->references;
	(void)ticket_extract(rules, &tin, id, NULL, &err);
	if (note_render(msg, 512 * 1024, true, &note, &err) == GW_OK) {
		if (note_to_json(note, &json, &len, &err) == GW_OK &&
		    !g_utf8_validate(json, (gssize)len, NULL))
			g_error("note JSON is not UTF-8");
	}
	g_free(json);
	note_free(&note);
	message_free(&msg);
	return 0;
}
