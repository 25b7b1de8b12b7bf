-- The kiosk survey: invitations after purchases, the customers' answers, and the owner's
-- follow-ups of them. Rows arrive from other devices through sync in any order, so no
-- foreign keys tie them together.

CREATE TABLE nps_invitations (
    id             TEXT PRIMARY KEY, -- UUIDv7
    purchase_op_id TEXT NOT NULL UNIQUE, -- one invitation per purchase
    customer_id    TEXT NOT NULL DEFAULT '',
    card_code      TEXT NOT NULL DEFAULT '',
    device         TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
-- The throttle looks up a customer's last invitation; the kiosk the newest open one.
CREATE INDEX nps_invitations_customer ON nps_invitations (customer_id, created_at) WHERE customer_id <> '';
CREATE INDEX nps_invitations_expires ON nps_invitations (expires_at);

CREATE TABLE nps_responses (
    id             TEXT PRIMARY KEY, -- UUIDv7
    invitation_id  TEXT NOT NULL UNIQUE, -- one answer per invitation
    purchase_op_id TEXT NOT NULL,
    customer_id    TEXT NOT NULL DEFAULT '',
    card_code      TEXT NOT NULL DEFAULT '',
    score          INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    comment        TEXT NOT NULL DEFAULT '',
    lang           TEXT NOT NULL,
    at             INTEGER NOT NULL,
    status         TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX nps_responses_at ON nps_responses (at);
CREATE INDEX nps_responses_status ON nps_responses (status, at);
CREATE INDEX nps_responses_customer ON nps_responses (customer_id, at) WHERE customer_id <> '';

CREATE TABLE nps_actions (
    id          TEXT PRIMARY KEY, -- UUIDv7
    response_id TEXT NOT NULL,
    kind        TEXT NOT NULL,
    reached     INTEGER,          -- contact attempts only: 1 reached, 0 not; NULL otherwise
    note        TEXT NOT NULL DEFAULT '',
    staff       TEXT NOT NULL,
    at          INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX nps_actions_response ON nps_actions (response_id, at);
