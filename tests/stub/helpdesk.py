#!/usr/bin/env python3
"""helpdesk.py - a faithful fake of the helpdesk note API, for tests only.

It implements the one call of /work/shared/helpdesk-api.md,

    POST /api/v1/tickets/{id}/messages

and enforces the contract instead of saying yes to everything.  Checks run
in this order (the first failing one answers):

  1. route     only POST /api/v1/tickets/{id}/messages exists: other paths
               404, other methods on that path 405 (Allow: POST).  {id} is
               one raw path segment, percent-decoded afterwards, so
               /api/v1/tickets/..%2Fadmin/messages is ticket "../admin",
               which does not exist (404 at step 8).
  2. auth      "Authorization: Bearer <key>": missing, malformed, unknown
               or revoked -> 401 (problem "unauthorized"); the workspace
               without API entitlement -> 403 "forbidden"; a read-only key
               -> 403 "insufficient_scope".
  3. rate      per key, --rate-limit requests per --rate-window seconds
               (fixed window from the key's first request); the excess
               gets 429 with JSON retryAfter and a Retry-After header.
  4. size      a body over --max-body bytes -> 413 (Content-Length is
               required: 411 without one; chunked bodies are decoded).
  5. type      Content-Type must be application/json (parameters such as
               charset=utf-8 allowed) -> else 400 with details field
               "Content-Type".  (400 rather than 415: the contract lists
               only 400 for malformed requests.)
  6. body      valid UTF-8, one JSON object (no NaN, no duplicate keys)
               -> else 400 with details.
  7. fields    "type" must be "internal_note" (else 400 "Must use type:
               internal_note only"); body_html and body_text required
               strings; other fields are refused (400 with details).
  8. ticket    unknown ticket -> 404 "Ticket not found".
  9. accepted  201 with the created message as JSON.

Error bodies are the contract's {"error","message","code"[,"details"]
[,"retryAfter"]} plus "problem" carrying the problem code.

Records in --record DIR:
  requests.jsonl  one line per API request (control requests excluded):
                  method, raw path, decoded ticket, status, selected
                  headers, which key matched (its NAME, never the key),
                  body length, fault mode applied ("fault": "random"
                  when --fault-rate chose it), "time" (UTC, when the
                  request line arrived, microseconds) and "n" (its number).
  notes.jsonl     one line per ACCEPTED note: ticket, idempotency_key,
                  body (the exact request body as a string).
  note-<n>.json   the exact raw body bytes of accepted note n (1-based).
The fake does not de-duplicate on Idempotency-Key: it records every note,
so tests can see a double post.  With --idempotent it does: a second
accepted request with a known key gets the first one's 201 again and
stores nothing (atomically, so concurrent twins make one note).

Random faults (the reliability benchmark, tests/reliability.sh):
--fault-rate R (0..1) gives each API request that finds the mode "normal"
a fault with probability R, drawn from --fault-mix (comma-separated modes
as for /_fake/mode; default: status:500, status:502, status:503, reset,
stall, status:429 with retryAfter --fault-retry-after (1 s), commit-reset,
commit-stall, commit-headers-stall, equally likely) by a random.Random
seeded with --fault-seed, so a run's sequence of faults (by request
number) repeats.  Stalls last --stall-seconds.  A mode set through
/_fake/mode takes precedence; "fault_rate" there changes R.

Control endpoints (tests only; not rate limited, no auth, not recorded):
  POST /_fake/mode {"mode": M, "count": N}   fault mode for the next N API
        requests (all of them when count is absent).  Modes: normal,
        status:<code> (realistic body for that code), stall, reset,
        garbage, empty-2xx, html-2xx, html-500, retry-after-header
        (429 with only a Retry-After header), retry-after-header:<value>,
        and "commit then fail": commit-reset, commit-stall (the request
        is handled normally and the note stored, then the connection is
        reset, or left silent for --stall-seconds, instead of the 201),
        commit-headers-stall (the note is stored, the 201 status line and
        headers are sent, then the body never comes),
        refuse-html[:400|:422] (the request is checked as usual, and a
        note that passes is refused, 422 by default, with details naming
        body_html: count 1 refuses once, no count always).
        Optional "body" (string or object) replaces the answer body of
        status:<code>; optional "retry_after" sets the 429 delay;
        optional "fault_rate" (0..1) sets --fault-rate from now on.
  GET  /_fake/notes, /_fake/requests          the records, as JSON arrays
  POST /_fake/reset-ratelimit                 forget rate-limit windows
  POST /_fake/clear                           forget records and counters
  GET  /_fake/health                          {"ok":true}

Python 3 standard library only.  Listens on 127.0.0.1 only; exits after
--lifetime seconds (capped at 3600) or on SIGTERM/SIGINT.
"""

import argparse
import datetime
import hmac
import http.server
import io
import json
import os
import random
import re
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse

KEYS = {
    # name, key, class
    "KEY_RW": ("ixk_test_rw_4f9c2a7e1b", "rw"),
    "KEY_RO": ("ixk_test_ro_8d1e5b3c70", "ro"),
    "KEY_NOENT": ("ixk_test_noent_2a6f9e", "noent"),
    "KEY_REVOKED": ("ixk_test_revoked_7c3b1d", "revoked"),
}

DEFAULT_TICKETS = "T1001,T1002,4242,abc_DEF-9"
ROUTE = re.compile(r"^/api/v1/tickets/([^/]+)/messages$")
MAX_LIFETIME = 3600
MAX_STALL = 120
# The modes --fault-rate draws from, and those --fault-mix may name.
FAULT_MIX = ("status:500,status:502,status:503,reset,stall,status:429,"
             "commit-reset,commit-stall,commit-headers-stall")
FAULT_MODES = ("stall", "reset", "garbage", "empty-2xx", "html-2xx",
               "html-500", "commit-reset", "commit-stall",
               "commit-headers-stall")
HARD_MAX_READ = 64 * 1024 * 1024	# never read more than this, whatever

REASONS = {
    200: "OK", 201: "Created", 202: "Accepted", 204: "No Content",
    301: "Moved Permanently", 302: "Found", 303: "See Other",
    307: "Temporary Redirect", 308: "Permanent Redirect",
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
    404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout",
    409: "Conflict", 410: "Gone", 411: "Length Required",
    413: "Payload Too Large", 415: "Unsupported Media Type",
    422: "Unprocessable Entity", 429: "Too Many Requests",
    500: "Internal Server Error", 501: "Not Implemented",
    502: "Bad Gateway", 503: "Service Unavailable",
    504: "Gateway Timeout",
}

PROBLEMS = {
    400: "invalid_request", 401: "unauthorized", 403: "forbidden",
    404: "not_found", 405: "method_not_allowed", 408: "request_timeout",
    411: "length_required", 413: "payload_too_large",
    415: "unsupported_media_type", 422: "validation_failed",
    429: "rate_limited", 500: "internal_error", 502: "bad_gateway",
    503: "service_unavailable", 504: "gateway_timeout",
}


def error_body(code, message=None, details=None, problem=None, **extra):
    """The contract's error object, plus the problem code."""
    body = {
        "error": REASONS.get(code, "Error"),
        "message": message or REASONS.get(code, "Error"),
        "code": code,
    }
    if details is not None:
        body["details"] = details
    body["problem"] = problem or PROBLEMS.get(code, "error")
    body.update(extra)
    return body


# Canned bodies for the status:<code> fault mode.
def canned(code, retry_after):
    if code == 400:
        return error_body(400, "The request contains invalid parameters "
                          "or malformed data", [{"field": "body_html",
                                                 "message": "Invalid HTML"}])
    if code == 401:
        return error_body(401, "Authentication required. Please provide "
                          "a valid API token")
    if code == 403:
        return error_body(403, "You don't have permission to access this "
                          "resource")
    if code == 404:
        return error_body(404, "Ticket not found")
    if code == 413:
        return error_body(413, "Request body too large")
    if code == 422:
        return error_body(422, "Validation failed", [
            {"field": "body_html", "message": "too long"}])
    if code == 429:
        return error_body(429, "Rate limit exceeded. Please try again "
                          "later", retryAfter=retry_after)
    if code == 500:
        return error_body(500, "An unexpected error occurred")
    if code == 502:
        return error_body(502, "Upstream service unavailable")
    if code == 503:
        return error_body(503, "Service temporarily unavailable, "
                          "maintenance in progress")
    if 200 <= code < 300:
        return {}
    return error_body(code)


class State:
    """Everything shared between handler threads, under one lock."""

    def __init__(self, args):
        self.lock = threading.Lock()
        self.args = args
        self.tickets = set(t for t in args.tickets.split(",") if t)
        self.mode = "normal"
        self.mode_count = None
        self.mode_body = None
        self.mode_retry_after = None
        self.windows = {}	# key name -> [window start, count]
        self.nreq = 0
        self.nnote = 0
        self.idem = {}	# --idempotent: key -> note number
        self.fault_rate = args.fault_rate
        self.fault_rng = random.Random(args.fault_seed)
        self.fault_mix = [m for m in args.fault_mix.split(",") if m]
        os.makedirs(args.record, exist_ok=True)
        self.req_path = os.path.join(args.record, "requests.jsonl")
        self.note_path = os.path.join(args.record, "notes.jsonl")
        for p in (self.req_path, self.note_path):
            open(p, "w").close()

    def take_mode(self):
        """The fault mode for this API request (consumes one of count),
        and whether --fault-rate chose it."""
        with self.lock:
            mode = self.mode
            body, ra = self.mode_body, self.mode_retry_after
            if mode == "normal" and self.fault_rate > 0 and \
                    self.fault_rng.random() < self.fault_rate:
                mode = self.fault_rng.choice(self.fault_mix)
                return mode, None, self.args.fault_retry_after, True
            if mode != "normal" and self.mode_count is not None:
                self.mode_count -= 1
                if self.mode_count <= 0:
                    self.mode = "normal"
                    self.mode_count = None
                    self.mode_body = None
                    self.mode_retry_after = None
            return mode, body, ra, False

    def rate(self, name):
        """None if allowed, else seconds until the window resets."""
        now = time.monotonic()
        with self.lock:
            w = self.windows.get(name)
            if w is None or now - w[0] >= self.args.rate_window:
                w = [now, 0]
                self.windows[name] = w
            if w[1] >= self.args.rate_limit:
                left = self.args.rate_window - (now - w[0])
                return max(1, int(left + 0.999))
            w[1] += 1
            return None

    def record_request(self, rec):
        with self.lock:
            self.nreq += 1
            rec["n"] = self.nreq
            with open(self.req_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(rec, sort_keys=True) + "\n")

    def record_note(self, ticket, idem, raw):
        with self.lock:
            return self.record_note_locked(ticket, idem, raw)

    def record_note_locked(self, ticket, idem, raw):
        self.nnote += 1
        n = self.nnote
        with open(os.path.join(self.args.record, "note-%d.json" % n),
                  "wb") as f:
            f.write(raw)
        rec = {"n": n, "ticket": ticket, "idempotency_key": idem,
               "body": raw.decode("utf-8")}
        with open(self.note_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(rec, sort_keys=True) + "\n")
        return n

    def note_once(self, ticket, idem, raw):
        """--idempotent: (n, False) for a new note, (n, True) for a
        replay of a known key (nothing stored)."""
        with self.lock:
            if self.args.idempotent and idem and idem in self.idem:
                return self.idem[idem], True
            n = self.record_note_locked(ticket, idem, raw)
            if self.args.idempotent and idem:
                self.idem[idem] = n
            return n, False

    def read_records(self, path):
        with self.lock:
            with open(path, encoding="utf-8") as f:
                return [json.loads(line) for line in f if line.strip()]

    def clear(self):
        with self.lock:
            self.nreq = self.nnote = 0
            self.windows = {}
            self.idem = {}
            for name in os.listdir(self.args.record):
                if re.match(r"^note-\d+\.json$", name):
                    os.unlink(os.path.join(self.args.record, name))
            for p in (self.req_path, self.note_path):
                open(p, "w").close()


class BadRequest(Exception):
    def __init__(self, status, body):
        super().__init__(status)
        self.status = status
        self.body = body


def no_dup_object(pairs):
    seen = set()
    for k, _ in pairs:
        if k in seen:
            raise ValueError("duplicate key %r" % k)
        seen.add(k)
    return dict(pairs)


def bad_constant(name):
    raise ValueError("invalid JSON constant %s" % name)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-helpdesk/1.0"
    sys_version = ""
    timeout = 30

    # --- plumbing -------------------------------------------------------

    def setup(self):
        self.tls_failed = False
        ctx = self.server.ssl_ctx
        if ctx is not None:
            self.request.settimeout(self.timeout)
            try:
                self.request = ctx.wrap_socket(self.request, server_side=True)
            except (ssl.SSLError, OSError) as e:
                self.log_message("TLS handshake failed: %s", e)
                self.tls_failed = True
                self.connection = self.request
                self.rfile = io.BytesIO()
                self.wfile = io.BytesIO()
                return
        super().setup()

    def handle(self):
        if self.tls_failed:
            return
        try:
            super().handle()
        except (ConnectionError, ssl.SSLError, socket.timeout, ValueError):
            # ValueError: a fault mode closed the connection under us.
            pass

    def log_message(self, fmt, *args):
        sys.stderr.write("fake-helpdesk: " + (fmt % args) + "\n")

    @property
    def state(self):
        return self.server.state

    def send_raw(self, status, body, ctype="application/json; charset=utf-8",
                 headers=(), close=False):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode("utf-8")
        elif isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(status, REASONS.get(status))
        if body or ctype:
            if ctype:
                self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def read_body(self, limit):
        """(bytes or None if over limit, length seen, error status)."""
        te = self.headers.get("Transfer-Encoding", "")
        if te:
            if te.lower() != "chunked":
                return None, 0, 400
            out = bytearray()
            total = 0
            while True:
                line = self.rfile.readline(1024)
                if not line:
                    self.close_connection = True
                    return None, total, 400
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    self.close_connection = True
                    return None, total, 400
                if size == 0:
                    while True:	# trailers
                        line = self.rfile.readline(8192)
                        if line in (b"\r\n", b"\n", b""):
                            break
                    break
                total += size
                if total > HARD_MAX_READ:
                    self.close_connection = True
                    return None, total, 413
                chunk = self.rfile.read(size)
                self.rfile.readline(16)
                if len(chunk) < size:
                    self.close_connection = True
                    return None, total, 400
                if total <= limit:
                    out += chunk
            if total > limit:
                return None, total, 413
            return bytes(out), total, 0
        cl = self.headers.get("Content-Length")
        if cl is None:
            return (b"" if self.command not in ("POST", "PUT", "PATCH")
                    else None), 0, (0 if self.command not in
                                    ("POST", "PUT", "PATCH") else 411)
        try:
            n = int(cl)
            if n < 0:
                raise ValueError
        except ValueError:
            self.close_connection = True
            return None, 0, 400
        if n > HARD_MAX_READ:
            self.close_connection = True
            return None, n, 413
        data = self.rfile.read(n)
        if len(data) < n:
            self.close_connection = True
            return None, len(data), 400
        if n > limit:
            return None, n, 413
        return data, n, 0

    # --- dispatch -------------------------------------------------------

    def do_POST(self):
        self.dispatch()

    def do_GET(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_PATCH(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def do_HEAD(self):
        self.dispatch()

    def do_OPTIONS(self):
        self.dispatch()

    def dispatch(self):
        raw_path = self.path
        path = raw_path.split("?", 1)[0]
        if path.startswith("/_fake/"):
            return self.control(path)
        return self.api(raw_path, path)

    # --- the API --------------------------------------------------------

    def auth(self):
        """(key name or reason, key class or None)."""
        values = self.headers.get_all("Authorization") or []
        if not values:
            return "missing", None
        if len(values) > 1:
            return "multiple", None
        parts = values[0].split(" ")
        if len(parts) != 2 or parts[0].lower() != "bearer" or not parts[1]:
            return "malformed", None
        tok = parts[1].encode("utf-8", "replace")
        for name, (key, cls) in KEYS.items():
            if hmac.compare_digest(tok, key.encode()):
                return name, cls
        return "unknown", None

    def api(self, raw_path, path):
        st = self.state
        rec = {
            "method": self.command,
            "path": raw_path,
            "ticket": None,
            "content_type": self.headers.get("Content-Type"),
            "accept": self.headers.get("Accept"),
            "user_agent": self.headers.get("User-Agent"),
            "idempotency_key": self.headers.get("Idempotency-Key"),
            "expect": self.headers.get("Expect"),
            "content_length": self.headers.get("Content-Length"),
            "header_names": [k for k in self.headers.keys()],
            "auth": None,
            "body_length": 0,
            "mode": None,
            "status": None,
            "time": datetime.datetime.now(datetime.timezone.utc)
                    .strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }
        m = ROUTE.match(path)
        if m:
            rec["ticket"] = urllib.parse.unquote(m.group(1), errors="replace")
        rec["auth"], _ = self.auth()

        mode, mbody, mra, random_fault = st.take_mode()
        if random_fault:
            rec["fault"] = "random"
        if mode.startswith("commit-"):
            # Handled by the contract; only a 2xx answer is replaced.
            rec["mode"] = mode
            self.commit_fault = mode
            rec["status"] = self.api_normal(rec, m)
            st.record_request(rec)
            return
        if mode.startswith("refuse-html"):
            # Not a fault: the request is checked as usual, and a note
            # that passes every check is refused for its body_html.
            rec["mode"] = mode
            code = 400 if mode == "refuse-html:400" else 422
            status = self.api_normal(rec, m, refuse_html=code)
            rec["status"] = status
            st.record_request(rec)
            return
        if mode != "normal":
            rec["mode"] = mode
            body, n, _ = self.read_body(st.args.max_body)
            rec["body_length"] = n
            status = self.fault(mode, mbody, mra)
            rec["status"] = status
            st.record_request(rec)
            return

        status = self.api_normal(rec, m)
        rec["status"] = status
        st.record_request(rec)

    def api_normal(self, rec, m, refuse_html=0):
        """Answer one API request by the contract; returns the status.
        refuse_html (400 or 422): refuse a note that passes every check,
        naming body_html in the details (the refuse-html mode)."""
        st = self.state
        args = st.args

        # 1. route
        if not m:
            self.read_body(args.max_body)
            return self.answer(404, error_body(404, "Resource not found"))
        if self.command != "POST":
            self.read_body(args.max_body)
            return self.answer(405, error_body(
                405, "Only POST is supported on this resource"),
                headers=[("Allow", "POST")])

        # Read the body first so that an early answer leaves the
        # connection usable (a real server drains it too).
        body, n, rerr = self.read_body(args.max_body)
        rec["body_length"] = n

        # 2. auth
        name, cls = self.auth()
        if cls is None or cls == "revoked":
            return self.answer(401, error_body(
                401, "Authentication required. Please provide a valid "
                "API token", problem="unauthorized"),
                headers=[("WWW-Authenticate", 'Bearer realm="api"')])
        if cls == "noent":
            return self.answer(403, error_body(
                403, "You don't have permission to access this resource",
                problem="forbidden"))
        if cls == "ro":
            return self.answer(403, error_body(
                403, "You don't have permission to access this resource",
                problem="insufficient_scope"))

        # 3. rate limit
        left = st.rate(name)
        if left is not None:
            return self.answer(429, error_body(
                429, "Rate limit exceeded. Please try again later",
                problem="rate_limited", retryAfter=left),
                headers=[("Retry-After", str(left))])

        # 4. size / framing
        if rerr == 413:
            return self.answer(413, error_body(
                413, "Request body too large (limit %d bytes)"
                % args.max_body), close=True)
        if rerr == 411:
            return self.answer(411, error_body(
                411, "Content-Length required"), close=True)
        if rerr:
            return self.answer(400, error_body(
                400, "Malformed request body"), close=True)

        try:
            # 5. content type
            ct = self.headers.get("Content-Type")
            if ct is None or ct.split(";")[0].strip().lower() \
                    != "application/json":
                raise BadRequest(400, error_body(
                    400, "The request contains invalid parameters or "
                    "malformed data", [{"field": "Content-Type",
                                        "message": "must be application/json"}]))
            # 6. body: UTF-8, JSON object
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as e:
                raise BadRequest(400, error_body(
                    400, "The request contains invalid parameters or "
                    "malformed data", [{"field": "body", "message":
                                        "invalid UTF-8 at byte %d" % e.start}]))
            try:
                obj = json.loads(text, object_pairs_hook=no_dup_object,
                                 parse_constant=bad_constant)
            except (ValueError, RecursionError) as e:
                raise BadRequest(400, error_body(
                    400, "The request contains invalid parameters or "
                    "malformed data", [{"field": "body", "message":
                                        "invalid JSON: %s" % str(e)[:120]}]))
            if not isinstance(obj, dict):
                raise BadRequest(400, error_body(
                    400, "The request contains invalid parameters or "
                    "malformed data", [{"field": "body", "message":
                                        "must be a JSON object"}]))
            # 7. fields
            if obj.get("type") != "internal_note":
                raise BadRequest(400, error_body(
                    400, "Must use type: internal_note only",
                    [{"field": "type", "message":
                      "Must use type: internal_note only"}]))
            details = []
            for f in ("body_html", "body_text"):
                if f not in obj:
                    details.append({"field": f, "message": "is required"})
                elif not isinstance(obj[f], str):
                    details.append({"field": f,
                                    "message": "must be a string"})
            for f in sorted(obj):
                if f not in ("type", "body_html", "body_text"):
                    details.append({"field": f,
                                    "message": "unknown field"})
            if details:
                raise BadRequest(400, error_body(
                    400, "The request contains invalid parameters or "
                    "malformed data", details))
            if refuse_html:
                raise BadRequest(refuse_html, error_body(
                    refuse_html, "Validation failed" if refuse_html == 422
                    else "The request contains invalid parameters or "
                    "malformed data", [{"field": "body_html", "message":
                                        "unsupported markup"}]))
        except BadRequest as e:
            return self.answer(e.status, e.body)

        # 8. ticket
        ticket = rec["ticket"]
        if ticket not in st.tickets:
            return self.answer(404, error_body(404, "Ticket not found"))

        # 9. accepted
        n, replay = st.note_once(ticket, rec["idempotency_key"], body)
        if replay:
            rec["replay"] = True
        now = datetime.datetime.now(datetime.timezone.utc)
        return self.answer(201, {
            "id": "msg_%d" % n,
            "ticket_id": ticket,
            "type": "internal_note",
            "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }, headers=[("Location", "/api/v1/tickets/%s/messages/msg_%d"
                     % (urllib.parse.quote(ticket, safe=""), n))])

    def answer(self, status, body, headers=(), close=False):
        cf = getattr(self, "commit_fault", None)
        if cf and 200 <= status <= 299:
            return self.commit_fail(cf, status)
        self.send_raw(status, body, headers=headers, close=close)
        return status

    def commit_fail(self, mode, status):
        """The note is stored; the answer is lost (returns 0) or cut."""
        if mode == "commit-reset":
            self.fault("reset", None, None)
            return 0
        if mode == "commit-headers-stall":
            try:
                self.send_response(status, REASONS.get(status))
                self.send_header("Content-Type",
                                 "application/json; charset=utf-8")
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self.wfile.flush()
            except OSError:
                return status
        self.fault("stall", None, None)
        return status if mode == "commit-headers-stall" else 0

    # --- faults ---------------------------------------------------------

    def fault(self, mode, mbody, mra):
        """Answer under a fault mode; returns the status (0: none)."""
        st = self.state
        ra = mra if mra is not None else 3600
        if mode.startswith("status:"):
            try:
                code = int(mode.split(":", 1)[1])
            except ValueError:
                code = 500
            if not 100 <= code <= 999 or 100 <= code < 200:
                code = 500
            body = mbody if mbody is not None else canned(code, ra)
            headers = []
            if code == 429:
                headers.append(("Retry-After", str(ra)))
            if code == 503:
                headers.append(("Retry-After", "120"))
            if 300 <= code < 400:
                headers.append(("Location", "http://127.0.0.1:9/elsewhere"))
            if code == 401:
                headers.append(("WWW-Authenticate", 'Bearer realm="api"'))
            self.send_raw(code, body, headers=headers)
            return code
        if mode == "stall":
            deadline = time.monotonic() + min(st.args.stall_seconds,
                                              MAX_STALL)
            while time.monotonic() < deadline and not self.server.stopping:
                time.sleep(0.05)
            self.close_connection = True
            return 0
        if mode == "reset":
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
            except OSError:
                pass
            self.hard_close()
            return 0
        if mode == "garbage":
            try:
                self.wfile.write(b"\x00\x01\x02SSH-2.0-OpenSSH_9.2\r\n"
                                 b"\xff\xfe\xfd not HTTP at all \x1b[31m\r\n")
                self.wfile.flush()
            except OSError:
                pass
            self.hard_close()
            return 0
        if mode == "empty-2xx":
            self.send_raw(201, b"", ctype=None)
            return 201
        if mode == "html-2xx":
            self.send_raw(201, "<!DOCTYPE html><html><body><p>Created</p>"
                          "</body></html>", ctype="text/html; charset=utf-8")
            return 201
        if mode == "html-500":
            self.send_raw(500, "<!DOCTYPE html>\n<html><head><title>500 "
                          "Internal Server Error</title></head>\n<body>"
                          "<h1>Internal Server Error</h1>\n<p>nginx</p>"
                          "</body></html>\n", ctype="text/html")
            return 500
        if mode.startswith("retry-after-header"):
            value = mode.split(":", 1)[1] if ":" in mode else \
                str(mra if mra is not None else 120)
            self.send_raw(429, b"", ctype=None,
                          headers=[("Retry-After", value)])
            return 429
        self.send_raw(500, error_body(500, "fake: unknown mode"))
        return 500

    def hard_close(self):
        self.close_connection = True
        for f in (self.rfile, self.wfile):
            try:
                f.close()
            except OSError:
                pass
        try:
            self.connection.close()
        except OSError:
            pass

    def finish(self):
        try:
            super().finish()
        except (OSError, ValueError):
            pass

    # --- control --------------------------------------------------------

    def control(self, path):
        st = self.state
        body, _, rerr = self.read_body(1024 * 1024)
        if self.command == "GET" and path == "/_fake/notes":
            return self.send_raw(200, st.read_records(st.note_path))
        if self.command == "GET" and path == "/_fake/requests":
            return self.send_raw(200, st.read_records(st.req_path))
        if self.command == "GET" and path == "/_fake/health":
            return self.send_raw(200, {"ok": True})
        if self.command == "POST" and path == "/_fake/reset-ratelimit":
            with st.lock:
                st.windows = {}
            return self.send_raw(200, {"ok": True})
        if self.command == "POST" and path == "/_fake/clear":
            st.clear()
            return self.send_raw(200, {"ok": True})
        if self.command == "POST" and path == "/_fake/mode":
            try:
                req = json.loads((body or b"").decode("utf-8"))
                mode = req["mode"]
                if not isinstance(mode, str):
                    raise ValueError("mode must be a string")
                known = ("normal", "stall", "reset", "garbage", "empty-2xx",
                         "html-2xx", "html-500", "commit-reset",
                         "commit-stall", "commit-headers-stall",
                         "refuse-html", "refuse-html:400",
                         "refuse-html:422")
                if not (mode in known or mode.startswith("status:")
                        or mode.startswith("retry-after-header")):
                    raise ValueError("unknown mode %r" % mode)
                count = req.get("count")
                if count is not None and (not isinstance(count, int)
                                          or count < 1):
                    raise ValueError("count must be a positive integer")
                ra = req.get("retry_after")
                if ra is not None and not isinstance(ra, int):
                    raise ValueError("retry_after must be an integer")
                fr = req.get("fault_rate")
                if fr is not None and (not isinstance(fr, (int, float))
                                       or not 0 <= fr <= 1):
                    raise ValueError("fault_rate must be within 0..1")
            except (ValueError, KeyError, TypeError, AttributeError) as e:
                return self.send_raw(400, {"ok": False, "error": str(e)})
            with st.lock:
                st.mode = mode
                st.mode_count = count
                st.mode_body = req.get("body")
                st.mode_retry_after = ra
                if fr is not None:
                    st.fault_rate = float(fr)
            return self.send_raw(200, {"ok": True, "mode": mode,
                                       "count": count})
        return self.send_raw(404, {"ok": False, "error": "no such control"})


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, socket.timeout)):
            return
        super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description="fake helpdesk note API")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--record", required=True)
    ap.add_argument("--lifetime", type=float, default=300)
    ap.add_argument("--tickets", default=DEFAULT_TICKETS)
    ap.add_argument("--rate-limit", type=int, default=1000)
    ap.add_argument("--rate-window", type=float, default=3600)
    ap.add_argument("--max-body", type=int, default=8 * 1024 * 1024)
    ap.add_argument("--stall-seconds", type=float, default=30)
    ap.add_argument("--fault-rate", type=float, default=0.0,
                    help="probability of a random fault per API request")
    ap.add_argument("--fault-seed", type=int, default=1)
    ap.add_argument("--fault-mix", default=FAULT_MIX)
    ap.add_argument("--fault-retry-after", type=int, default=1,
                    help="retryAfter of a random 429")
    ap.add_argument("--idempotent", action="store_true",
                    help="honour Idempotency-Key (one note per key)")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    args.lifetime = max(1.0, min(args.lifetime, MAX_LIFETIME))
    args.max_body = max(0, min(args.max_body, HARD_MAX_READ))
    args.rate_window = max(1.0, args.rate_window)
    if not 0 <= args.fault_rate <= 1:
        ap.error("--fault-rate must be within 0..1")
    for m in args.fault_mix.split(","):
        if m and not (m in FAULT_MODES or m.startswith("status:")):
            ap.error("--fault-mix: unknown mode %r" % m)

    srv = Server(("127.0.0.1", args.port), Handler)
    srv.state = State(args)
    srv.stopping = False
    srv.ssl_ctx = None
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        srv.ssl_ctx = ctx

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    t = threading.Thread(target=srv.serve_forever, kwargs={
        "poll_interval": 0.1}, daemon=True)
    t.start()
    port = srv.server_address[1]
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, args.port_file)

    stop.wait(args.lifetime)
    srv.stopping = True
    srv.shutdown()
    srv.server_close()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
