-- Closing the loop: alert rules, the follow-up cases they open, and webhooks.

-- A survey's alert rules, kept as the JSON list the API takes and the core validated. Like the
-- targets they belong to the survey id, so publishing a new version keeps them.
CREATE TABLE alert_rules (
    survey_id TEXT PRIMARY KEY,
    rules TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Follow-up cases. `response_id` is unique: a response opens at most one case, so a duplicate
-- submission or a retried batch cannot open a second. The columns after `due_at` are what the
-- timeline (`case_events`) comes to, kept here so the inbox filters and sorts on them.
CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    response_id TEXT NOT NULL UNIQUE,
    survey_id TEXT NOT NULL,
    severity TEXT NOT NULL,
    rules TEXT NOT NULL,
    location TEXT,
    contact TEXT,
    opened_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    status TEXT NOT NULL,
    owner TEXT,
    first_action_at TEXT,
    ended_at TEXT,
    resolution TEXT,
    contacted BIGINT NOT NULL,
    events BIGINT NOT NULL
);
-- The inbox reads in due order, a page at a time.
CREATE INDEX cases_by_due ON cases (due_at, id);
-- The loop's figures read a period's cases, and the backlog.
CREATE INDEX cases_by_opening ON cases (opened_at);
CREATE INDEX cases_by_status ON cases (status, owner);

-- Each case's timeline, in order: its opening, notes, assignments and status changes, with who
-- and when. `body` is the core's event (`manyi_core::cases::EventKind`) as JSON.
CREATE TABLE case_events (
    case_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

-- Where events are sent. The secret signs every delivery (Standard Webhooks).
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    events TEXT NOT NULL,
    survey_id TEXT,
    created_at TEXT NOT NULL
);

-- The transactional outbox of webhooks: a delivery is written in the transaction of its event,
-- so an event that happened is sent, however the server stops. `id` is the `webhook-id`, the
-- same on every attempt. A `response.created` delivery keeps no body of its own (`payload` is
-- NULL): it is made from the stored response, which never changes, when it is sent.
-- `claimed_until` is a sender's lease: while it runs, no other sender takes the delivery.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    endpoint_id TEXT NOT NULL,
    event TEXT NOT NULL,
    subject TEXT NOT NULL,
    payload TEXT,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at TEXT,
    claimed_until TEXT,
    last_error TEXT,
    delivered_at TEXT
);
CREATE INDEX deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX deliveries_by_endpoint ON webhook_deliveries (endpoint_id, created_at, id);
