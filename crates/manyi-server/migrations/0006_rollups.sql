-- Rollups: each survey's statistics per time span and segment (see `manyi_core::rollup`), so
-- reports add up stored aggregates instead of reading every response.
--
-- `rollup_state` has one row per survey version whose rollups exist or are being built. While
-- `ready` is 0 a rebuild is under way: it reads the responses in the order of
-- (submitted_at, or '' when undated; id) and the rows hold exactly the responses up to
-- (`cursor_at`, `cursor_id`), none before the first step. New responses and deletions update
-- a version's rows when they fall within that part (always once it is ready), in the same
-- transaction that stores or deletes them.
CREATE TABLE rollup_state (
    survey_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    ready BIGINT NOT NULL,
    cursor_at TEXT,
    cursor_id TEXT,
    PRIMARY KEY (survey_id, version)
);

-- One row per survey version, segment row (`seg_key` empty for all responses; otherwise a
-- declared key, with `seg_present` 0 for the responses without it) and time span (`grain`
-- 0, 1, 2 for a UTC quarter-hour, hour and day starting at `span_start`, in Unix seconds; 3 for
-- the undated responses). `n` counts its responses. `headline` and `stats` are the stored aggregates: the headline
-- figures that segments, buckets and the previous period show, and everything the report
-- shows. The headline comes first, so reading it does not read the larger column.
CREATE TABLE rollups (
    survey_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    seg_key TEXT NOT NULL,
    seg_present BIGINT NOT NULL,
    seg_value TEXT NOT NULL,
    grain BIGINT NOT NULL,
    span_start BIGINT NOT NULL,
    n BIGINT NOT NULL,
    headline BYTEA NOT NULL,
    stats BYTEA NOT NULL,
    PRIMARY KEY (survey_id, version, seg_key, seg_present, seg_value, grain, span_start)
);

-- Every value of one key over a time range, for a segment breakdown.
CREATE INDEX rollups_by_key ON rollups (survey_id, version, seg_key, grain, span_start);

-- The `meta` keys a survey's responses have had, which the report lists for filters and
-- segments without reading the responses.
CREATE TABLE survey_meta_keys (
    survey_id TEXT NOT NULL,
    meta_key TEXT NOT NULL,
    PRIMARY KEY (survey_id, meta_key)
);

-- A rebuild reads the responses in (submitted_at, id) order from a cursor, and the open-text
-- answers newest first: one index serves both, and the one on (survey_id, submitted_at) alone
-- is then redundant.
DROP INDEX responses_by_survey;
CREATE INDEX responses_by_time ON responses (survey_id, submitted_at, id);
