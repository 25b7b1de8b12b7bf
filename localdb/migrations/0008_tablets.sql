-- Tablets paired as the customer screen over the shop's network (package tablet). Only
-- a hash of each tablet's token is kept: a copy of the database pairs no device. A
-- revoked tablet keeps its row, so the owner sees when it was cut off. Local to this
-- counter: never synced.
CREATE TABLE tablets (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    token_hash BLOB NOT NULL UNIQUE,
    paired_at  TEXT NOT NULL,
    revoked_at TEXT
) STRICT;
