-- Responses stored but not yet added to their survey's rollups. The transaction that stores a
-- response lists it here; a folder in each server adds the listed responses to the rollups in
-- large batches and removes them from the list in one transaction. Until then reports add the
-- listed responses to the rollups they read, in the same snapshot, so they stay exact. The
-- writers of a survey's rollups queue on its `rollup_state` rows; storing a response no longer
-- does, so concurrent batches do not take turns there.
CREATE TABLE rollup_pending (
    survey_id TEXT NOT NULL,
    response_id TEXT NOT NULL,
    PRIMARY KEY (survey_id, response_id)
);
