-- Sync with the shop's cloud account.

-- Where this device stands with the server: one row once the device is enrolled.
CREATE TABLE sync_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    server_url TEXT NOT NULL,
    device_id  TEXT NOT NULL,           -- the server's id for this device
    shop_id    TEXT NOT NULL,
    shop_name  TEXT NOT NULL DEFAULT '',
    cursor     INTEGER NOT NULL DEFAULT 0, -- the server version pulled up to
    epoch      TEXT NOT NULL DEFAULT '',   -- the server copy the cursor belongs to
    last_sync  INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Changes the server acknowledged, kept for 30 days: a server restored from an older
-- copy (a new epoch) may have lost them, and they are pushed again.
CREATE TABLE acked (
    seq       INTEGER PRIMARY KEY, -- acknowledgement order, which is push order
    change_id TEXT NOT NULL,
    type      TEXT NOT NULL,
    key       TEXT NOT NULL,
    body      TEXT NOT NULL,
    at        INTEGER NOT NULL,
    acked_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX acked_at ON acked (acked_at);

-- Changes that will never apply: refused by the server on push, or pulled but not
-- understood by this version of the app. Kept for the owner to see; nothing is lost.
CREATE TABLE rejected (
    change_id   TEXT NOT NULL,
    type        TEXT NOT NULL,
    key         TEXT NOT NULL,
    body        TEXT NOT NULL,
    at          INTEGER NOT NULL,
    source      TEXT NOT NULL, -- push | pull
    code        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    rejected_at INTEGER NOT NULL
) STRICT;
CREATE INDEX rejected_at ON rejected (rejected_at);

-- Record values of types this app keeps no table of, so that features added later
-- find them: last writer in server order wins, as for customers and cards.
CREATE TABLE records (
    type    TEXT NOT NULL,
    key     TEXT NOT NULL,
    body    TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (type, key)
) STRICT, WITHOUT ROWID;

-- A pulled record value held back because a local edit of the same record is still
-- waiting in the outbox. If that edit is refused (or turns out older), this applies.
CREATE TABLE held (
    type    TEXT NOT NULL,
    key     TEXT NOT NULL,
    body    TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (type, key)
) STRICT, WITHOUT ROWID;

-- Finds a waiting local edit of a record; operations, the bulk of the outbox, stay out
-- of the index so the counter's commit costs what it did.
CREATE INDEX outbox_record ON outbox (type, key) WHERE type <> 'op';
