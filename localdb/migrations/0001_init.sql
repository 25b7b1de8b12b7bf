-- Times are Unix milliseconds (UTC): compact, indexable, and ordered like the clock.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE settings (
    key     TEXT PRIMARY KEY,
    value   TEXT NOT NULL,          -- JSON
    version INTEGER NOT NULL DEFAULT 0 -- the server's version of the value; 0 = local only
) STRICT;

CREATE TABLE customers (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL DEFAULT '',
    email      TEXT NOT NULL DEFAULT '',
    phone      TEXT NOT NULL DEFAULT '',
    consent    INTEGER NOT NULL DEFAULT 0,
    company    TEXT NOT NULL DEFAULT '',
    tax_id     TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    version    INTEGER NOT NULL DEFAULT 0,
    -- The cached balance: always the sum of the customer's operations, kept in the same
    -- transaction as every operation so that the counter reads it in one lookup.
    points     INTEGER NOT NULL DEFAULT 0,
    cashback   INTEGER NOT NULL DEFAULT 0,
    xp         INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX customers_email ON customers (email COLLATE NOCASE) WHERE email <> '';
CREATE INDEX customers_phone ON customers (phone) WHERE phone <> '';
CREATE INDEX customers_name ON customers (name COLLATE NOCASE);

CREATE TABLE cards (
    code        TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    status      TEXT NOT NULL,
    replaced_by TEXT NOT NULL DEFAULT '',
    issued_at   INTEGER NOT NULL,
    version     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX cards_customer ON cards (customer_id);

-- The ledger: append-only, one row per operation, never updated. Keyed by its UUIDv7,
-- which sorts by creation time, so the primary key also serves time ranges.
CREATE TABLE operations (
    id          TEXT PRIMARY KEY, -- UUIDv7
    customer_id TEXT NOT NULL,
    card_code   TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,
    points      INTEGER NOT NULL,
    cashback    INTEGER NOT NULL,
    xp          INTEGER NOT NULL,
    amount      INTEGER NOT NULL DEFAULT 0,
    currency    TEXT NOT NULL DEFAULT '',
    reward_id   TEXT NOT NULL DEFAULT '',
    target      TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    device      TEXT NOT NULL,
    staff       TEXT NOT NULL DEFAULT '',
    at          INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX operations_customer ON operations (customer_id, at);
CREATE INDEX operations_target ON operations (target) WHERE target <> '';

-- Changes waiting to be pushed to the shop's cloud account, oldest first. Change ids are
-- unique by construction (an operation's is its own primary key), so no index is kept
-- on them: the sync client acknowledges by seq.
CREATE TABLE outbox (
    seq       INTEGER PRIMARY KEY, -- max+1: new rows always sort after waiting ones
    change_id TEXT NOT NULL,
    type      TEXT NOT NULL,
    key       TEXT NOT NULL,
    body      TEXT NOT NULL,
    at        INTEGER NOT NULL
) STRICT;

CREATE TABLE staff (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,  -- owner | cashier
    pin_hash   TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
