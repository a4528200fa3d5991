-- The origins (scheme://host[:port]) allowed to embed a survey and call the public API from
-- their pages. The list belongs to the survey id, not to a version, so publishing a new version
-- keeps it. `position` keeps the order staff gave.
CREATE TABLE survey_origins (
    survey_id TEXT NOT NULL,
    origin TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (survey_id, origin)
);

-- A preflight asks whether any survey lists an origin.
CREATE INDEX survey_origins_by_origin ON survey_origins (origin);
