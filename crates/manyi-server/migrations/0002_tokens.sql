-- Staff tokens. Only a SHA-256 hash of each token is kept; the token itself is shown once,
-- when it is created. `id` is a short public handle for listing and revoking.
CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
