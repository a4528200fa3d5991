-- Targets staff set for a survey (metric, value, deadline), kept as the JSON list the API takes
-- and the core validated. Like the allowed origins, the list belongs to the survey id, not to a
-- version, so publishing a new version keeps it.
CREATE TABLE survey_targets (
    survey_id TEXT PRIMARY KEY,
    targets TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
