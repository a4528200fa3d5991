-- A counter of changes to the alert rules and webhook endpoints, raised in the transaction of
-- every such change. Each server keeps the rules and endpoints it last read with the counter's
-- value then; the transaction that stores responses reads the counter in a statement it makes
-- anyway and reads the rules and endpoints again only when it has moved, so a change made on
-- any server applies to every response stored after it commits.
CREATE TABLE followup_generation (
    id BIGINT PRIMARY KEY,
    generation BIGINT NOT NULL
);
INSERT INTO followup_generation (id, generation) VALUES (1, 0);
