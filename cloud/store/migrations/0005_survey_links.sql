-- Surveys by email. survey_invitations is the part of the counters' invitations the
-- scan reads (pushed as nps_invitation records); state is waiting until the scan
-- emails it or skips it for good. answered is set by an nps_response to it.
CREATE TABLE survey_invitations (
	shop_id        TEXT NOT NULL,
	id             TEXT NOT NULL,
	purchase_op_id TEXT NOT NULL,
	customer_id    TEXT NOT NULL,
	card_code      TEXT NOT NULL,
	created_at     BIGINT NOT NULL,
	expires_at     BIGINT NOT NULL,
	answered       INTEGER NOT NULL DEFAULT 0,
	state          TEXT NOT NULL DEFAULT 'waiting',
	PRIMARY KEY (shop_id, id)
);
CREATE INDEX survey_invitations_waiting ON survey_invitations (state, created_at);

-- The one-time links emailed: only the hash of the token is kept.
CREATE TABLE survey_links (
	token_hash    TEXT PRIMARY KEY,
	shop_id       TEXT NOT NULL,
	invitation_id TEXT NOT NULL,
	customer_id   TEXT NOT NULL,
	lang          TEXT NOT NULL,
	created_at    BIGINT NOT NULL,
	expires_at    BIGINT NOT NULL,
	answered_at   BIGINT,
	UNIQUE (shop_id, invitation_id)
);
CREATE INDEX survey_links_customer ON survey_links (shop_id, customer_id, created_at);

-- What the survey knows of a customer: the language of their last answer (the email
-- is in it), and when they unsubscribed with one click (never emailed again).
CREATE TABLE survey_customers (
	shop_id         TEXT NOT NULL,
	customer_id     TEXT NOT NULL,
	lang            TEXT NOT NULL DEFAULT '',
	unsubscribed_at BIGINT,
	PRIMARY KEY (shop_id, customer_id)
);

-- The one-click unsubscribe address of a survey email (List-Unsubscribe), or ''.
ALTER TABLE outbox ADD COLUMN unsubscribe TEXT NOT NULL DEFAULT '';
