-- Least privilege. A token has a role (admin, editor, analyst, case_handler) and may be limited
-- to some surveys (`surveys`: a JSON list of ids; NULL for every survey). Tokens made before
-- roles existed could do everything, so they keep that as admins until they are replaced.
ALTER TABLE tokens ADD COLUMN role TEXT NOT NULL DEFAULT 'admin';
ALTER TABLE tokens ADD COLUMN surveys TEXT;

-- What staff did: who published, changed origins or targets, exported or deleted, and the
-- CLI's token changes. `id` sorts in time order (milliseconds, then a random tail), so pages
-- read newest first by id alone.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    token_id TEXT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    survey_id TEXT,
    detail TEXT NOT NULL
);

CREATE INDEX audit_log_by_survey ON audit_log (survey_id, id);
