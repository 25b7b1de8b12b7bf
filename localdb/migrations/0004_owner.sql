-- The owner's desk: figures for the dashboard, and the follow-ups of NPS answers that
-- leave the shop (emails) or come back to it (coupons).

-- The ledger summed by UTC hour and kind, kept by triggers in the transaction of each
-- operation, so that a dashboard over a month reads some 720 × 8 rows, not every
-- operation. Hours, not days: a day depends on the shop's time zone, an hour does not
-- (except in the few half-hour zones). Imported history (opening balances and past
-- visits) happened before Merci and is left out; a cancellation counts against the kind
-- of the operation it cancels.
CREATE TABLE op_hourly (
    hour   INTEGER NOT NULL, -- Unix time / 3600
    kind   TEXT NOT NULL,
    n      INTEGER NOT NULL,
    points INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    PRIMARY KEY (hour, kind)
) STRICT, WITHOUT ROWID;

INSERT INTO op_hourly (hour, kind, n, points, amount)
SELECT hour, kind, sum(n), sum(points), sum(amount) FROM (
    SELECT o.at / 3600000 AS hour, o.kind AS kind, 1 AS n, o.points AS points, o.amount AS amount
    FROM operations o
    WHERE o.kind <> 'void' AND NOT (o.reason = 'import' AND o.kind IN ('adjust', 'visit'))
    UNION ALL
    SELECT v.at / 3600000, t.kind, -1, -t.points, -t.amount
    FROM operations v JOIN operations t ON t.id = v.target
    WHERE v.kind = 'void'
) GROUP BY hour, kind;

CREATE TRIGGER op_hourly_add AFTER INSERT ON operations
WHEN NEW.kind <> 'void' AND NOT (NEW.reason = 'import' AND NEW.kind IN ('adjust', 'visit'))
BEGIN
    INSERT INTO op_hourly (hour, kind, n, points, amount)
    VALUES (NEW.at / 3600000, NEW.kind, 1, NEW.points, NEW.amount)
    ON CONFLICT (hour, kind) DO UPDATE SET n = n + 1, points = points + excluded.points,
        amount = amount + excluded.amount;
END;

CREATE TRIGGER op_hourly_void AFTER INSERT ON operations
WHEN NEW.kind = 'void'
BEGIN
    INSERT INTO op_hourly (hour, kind, n, points, amount)
    SELECT NEW.at / 3600000, t.kind, -1, -t.points, -t.amount FROM operations t WHERE t.id = NEW.target
    ON CONFLICT (hour, kind) DO UPDATE SET n = n - 1, points = points + excluded.points,
        amount = amount + excluded.amount;
END;

-- Who was active in a period, and who spent most: read from this index alone, in
-- customer order, with no sort and no look-up of the operations themselves. It widens
-- the index of a customer's operations rather than adding one, so that recording an
-- operation updates no more indexes than before.
DROP INDEX operations_customer;
CREATE INDEX operations_customer ON operations (customer_id, at, kind, amount, reason);

CREATE INDEX cards_issued ON cards (issued_at);

-- Emails written from the answers inbox. The cloud server sends them (they travel as
-- changes of type "email"); status follows what it reports.
CREATE TABLE emails (
    id          TEXT PRIMARY KEY, -- UUIDv7, also the change id
    response_id TEXT NOT NULL,
    to_addr     TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    status      TEXT NOT NULL,    -- queued | sent | failed
    error       TEXT NOT NULL DEFAULT '',
    staff       TEXT NOT NULL,
    at          INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX emails_response ON emails (response_id, at);

-- Thank-you coupons given to promoters: a unique code, redeemable once at the counter.
CREATE TABLE coupons (
    code        TEXT PRIMARY KEY,
    response_id TEXT NOT NULL,
    customer_id TEXT NOT NULL DEFAULT '',
    offer       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    redeemed_at INTEGER NOT NULL DEFAULT 0, -- 0 = not yet
    redeemed_by TEXT NOT NULL DEFAULT ''
) STRICT, WITHOUT ROWID;
CREATE INDEX coupons_response ON coupons (response_id);
