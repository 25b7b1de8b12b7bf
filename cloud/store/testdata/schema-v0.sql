-- One schema for SQLite and PostgreSQL. Times the server compares are BIGINT unix
-- milliseconds. A device's own clock (changes.at) is kept as the text it sent.
CREATE TABLE IF NOT EXISTS meta (
	k TEXT PRIMARY KEY,
	v TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS shops (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	version    BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS devices (
	id         TEXT PRIMARY KEY,
	shop_id    TEXT NOT NULL REFERENCES shops (id),
	name       TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	owner      INTEGER NOT NULL,
	created_at BIGINT NOT NULL,
	revoked_at BIGINT
);
CREATE INDEX IF NOT EXISTS devices_shop ON devices (shop_id);

-- One-time enrollment codes, kept hashed.
CREATE TABLE IF NOT EXISTS codes (
	hash       TEXT PRIMARY KEY,
	shop_id    TEXT NOT NULL REFERENCES shops (id),
	owner      INTEGER NOT NULL,
	expires_at BIGINT NOT NULL,
	used_at    BIGINT
);

-- The change log. A row with a NULL version is a rejected change, kept so that a retry
-- gets the same answer. live = 0 marks a record value superseded by a later one of the
-- same type and key: pulls skip it.
CREATE TABLE IF NOT EXISTS changes (
	shop_id       TEXT NOT NULL,
	id            TEXT NOT NULL,
	hash          TEXT NOT NULL,
	ctype         TEXT NOT NULL,
	ckey          TEXT NOT NULL,
	body          TEXT NOT NULL,
	device        TEXT NOT NULL,
	at            TEXT NOT NULL,
	version       BIGINT,
	live          INTEGER NOT NULL,
	reject_code   TEXT,
	reject_reason TEXT,
	PRIMARY KEY (shop_id, id)
);
CREATE INDEX IF NOT EXISTS changes_pull ON changes (shop_id, version);
CREATE INDEX IF NOT EXISTS changes_record ON changes (shop_id, ctype, ckey);

-- Per-customer balance projection: the sum of the deltas of the shop's op changes.
CREATE TABLE IF NOT EXISTS balances (
	shop_id     TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	points      BIGINT NOT NULL,
	cashback    BIGINT NOT NULL,
	xp          BIGINT NOT NULL,
	PRIMARY KEY (shop_id, customer_id)
);

-- Card projection for the public card page. A code belongs to the first shop that
-- pushed it.
CREATE TABLE IF NOT EXISTS cards (
	code        TEXT PRIMARY KEY,
	shop_id     TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	status      TEXT NOT NULL,
	replaced_by TEXT NOT NULL
);

-- Operations that took a customer's balance below zero.
CREATE TABLE IF NOT EXISTS overdrawn (
	shop_id     TEXT NOT NULL,
	op_id       TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	points      BIGINT NOT NULL,
	cashback    BIGINT NOT NULL,
	at          BIGINT NOT NULL,
	PRIMARY KEY (shop_id, op_id)
);

-- Emails to send: one row per email record, however often it is pushed.
CREATE TABLE IF NOT EXISTS outbox (
	shop_id     TEXT NOT NULL,
	id          TEXT NOT NULL,
	recipient   TEXT NOT NULL,
	subject     TEXT NOT NULL,
	body        TEXT NOT NULL,
	status      TEXT NOT NULL,
	attempts    INTEGER NOT NULL,
	next_at     BIGINT NOT NULL,
	lease_until BIGINT NOT NULL,
	last_error  TEXT NOT NULL,
	PRIMARY KEY (shop_id, id)
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_at);
