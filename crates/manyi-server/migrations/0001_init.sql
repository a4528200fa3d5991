-- Survey definitions: every published version is kept, so responses to an earlier version
-- are still validated and scored against the definition they answered.
CREATE TABLE surveys (
    id TEXT NOT NULL,
    version BIGINT NOT NULL,
    definition TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (id, version)
);

-- Responses, keyed by the client's UUID so a re-sent response is recognised. `body` is the
-- response in canonical JSON (the duplicate/conflict test compares it); `scores` are the
-- server's own, never the client's.
CREATE TABLE responses (
    id TEXT PRIMARY KEY,
    survey_id TEXT NOT NULL,
    survey_version BIGINT NOT NULL,
    submitted_at TEXT,
    received_at TEXT NOT NULL,
    body TEXT NOT NULL,
    scores TEXT NOT NULL
);

CREATE INDEX responses_by_survey ON responses (survey_id, submitted_at);
