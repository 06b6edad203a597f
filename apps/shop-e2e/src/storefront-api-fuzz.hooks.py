"""Schemathesis hooks for fuzzing the storefront's API: nothing is sent for a rejected request.

Every request carries the session of one customer the test signed up (STITCH_FUZZ_SESSION_COOKIE, the
`stitch_session=...` cookie), so the calls a customer needs a session for are fuzzed past their 401. Every request
carries its own correlation id (the storefront stamps it on each message the request sends), and
triggers on the embedded bus's SQLite file (STITCH_FUZZ_BUS_DB) journal every message written to a queue, a
subscription or a dead-letter queue. Consumers delete messages as they settle them, so counting the live tables
could miss one; the journal keeps them all.
"""

import os
import sqlite3
import threading
import time
import uuid

import schemathesis

CORRELATION_HEADER = "x-correlation-id"
CORRELATION_PREFIX = "fuzz-"
# The calls that send a message whenever they accept a request.
_SENDING_CALLS = {("POST", "/api/users"), ("POST", "/api/orders")}
# The storefront answers once the message is in its outbox; the relay sends it a moment later.
_RELAY_WAIT_S = 10

_JOURNAL = """
CREATE TABLE IF NOT EXISTS fuzz_sent (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,
  address        TEXT NOT NULL,
  message_id     TEXT NOT NULL,
  type           TEXT NOT NULL,
  correlation_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS fuzz_sent_by_correlation ON fuzz_sent (correlation_id);
CREATE TRIGGER IF NOT EXISTS fuzz_sent_messages AFTER INSERT ON messages BEGIN
  INSERT INTO fuzz_sent (address, message_id, type, correlation_id)
  VALUES (NEW.address, NEW.message_id, NEW.type, NEW.correlation_id);
END;
CREATE TRIGGER IF NOT EXISTS fuzz_sent_dead_letters AFTER INSERT ON dead_letters BEGIN
  INSERT INTO fuzz_sent (address, message_id, type, correlation_id)
  VALUES (NEW.address, NEW.message_id, NEW.type, NEW.correlation_id);
END;
"""


def _connect() -> sqlite3.Connection:
    path = os.environ.get("STITCH_FUZZ_BUS_DB")
    if not path or not os.path.exists(path):
        raise RuntimeError(f"STITCH_FUZZ_BUS_DB must name the storefront's bus file (<dataDir>/bus/bus.db); got {path!r}")
    # The shop's processes hold the file in WAL mode and take turns writing: wait for a turn.
    return sqlite3.connect(path, timeout=30, isolation_level=None)


with _connect() as db:
    db.executescript(_JOURNAL)

# Schemathesis checks responses on worker threads; a SQLite connection belongs to the thread that opened it.
_local = threading.local()


def _sent_with(correlation_id: str) -> list[tuple[str, str]]:
    if not hasattr(_local, "db"):
        _local.db = _connect()
    return _local.db.execute(
        "SELECT type, address FROM fuzz_sent WHERE correlation_id = ? ORDER BY seq", (correlation_id,)
    ).fetchall()


def _session_cookie() -> str:
    cookie = os.environ.get("STITCH_FUZZ_SESSION_COOKIE", "")
    if not cookie.startswith("stitch_session="):
        raise RuntimeError("STITCH_FUZZ_SESSION_COOKIE must be a customer's session cookie (stitch_session=...)")
    return cookie


_SESSION_COOKIE = _session_cookie()


@schemathesis.hook
def before_call(context, case, kwargs):
    headers = dict(case.headers or {})
    headers[CORRELATION_HEADER] = f"{CORRELATION_PREFIX}{uuid.uuid4()}"
    # A browser's session: an explicit Cookie header, so a cookie set by a fuzzed sign-up does not replace it.
    headers["Cookie"] = _SESSION_COOKIE
    case.headers = headers


@schemathesis.check
def no_message_for_a_rejected_request(ctx, response, case):
    """A request answered 4xx sent or published nothing; one answered 2xx by POST sent what it promised."""
    sent = response.request.headers.get(CORRELATION_HEADER)
    if not sent or not sent.startswith(CORRELATION_PREFIX):
        raise AssertionError(f"the request carried no {CORRELATION_HEADER} of this run, so its messages cannot be told apart")
    echoed = response.headers.get(CORRELATION_HEADER, [])
    if sent not in echoed:
        raise AssertionError(f"the storefront did not take the request's {CORRELATION_HEADER} {sent} (answered {echoed})")
    messages = _sent_with(sent)
    if 400 <= response.status_code < 500 and messages:
        listed = ", ".join(f"{type_} to {address}" for type_, address in messages)
        raise AssertionError(f"rejected with {response.status_code}, yet {len(messages)} message(s) went out: {listed}")
    # The storefront answers once an accepted sign-up or order is in its outbox; the relay sends it within moments.
    # (A replay moves dead letters under their own correlation ids, and may find none to move.) A repeated order id
    # answered as the first time sends nothing again: its message went out under the first request's correlation id.
    if 200 <= response.status_code < 300 and (case.method.upper(), case.path) in _SENDING_CALLS:
        replayed = _is_replayed_order(case)
        deadline = time.monotonic() + _RELAY_WAIT_S
        while not messages and not replayed and time.monotonic() < deadline:
            time.sleep(0.1)
            messages = _sent_with(sent)
        if not messages and not replayed:
            raise AssertionError(f"accepted with {response.status_code}, yet no message went out within {_RELAY_WAIT_S} s")


# Order ids the storefront accepted in this run (answers are checked one at a time: --workers 1).
_accepted_order_ids: set[str] = set()


def _is_replayed_order(case) -> bool:
    """A client-chosen order id the storefront accepted earlier in this run: its retry is answered, and sends nothing."""
    body = case.body if isinstance(case.body, dict) else {}
    order_id = body.get("orderId")
    if case.path != "/api/orders" or not isinstance(order_id, str):
        return False
    replayed = order_id in _accepted_order_ids
    _accepted_order_ids.add(order_id)
    return replayed
