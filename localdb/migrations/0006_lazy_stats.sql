-- The dashboard's figures leave the counter's commit. The triggers of 0004 summed every
-- operation into op_hourly inside its own transaction, so the counter paid for the
-- dashboard at every commit; the ledger is now folded into the figures when the dashboard
-- reads them (localdb/fold.go), and a commit writes what it wrote before 0004.
DROP TRIGGER op_hourly_add;
DROP TRIGGER op_hourly_void;
DELETE FROM op_hourly; -- the first fold builds it again, with the tables below

-- How far the ledger is folded: the operations not in op_unfolded that are at or below
-- the watermark or in op_folded_ahead. Ids are UUIDv7 in the order of their device's
-- clock, so the counter's new operations sort above it. What arrives below it (pulled
-- from another device, made after the clock stepped back) is noted by the trigger
-- op_late: a commit at the counter only reads the watermark.
CREATE TABLE op_fold (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    watermark TEXT NOT NULL
) STRICT;
INSERT INTO op_fold (id, watermark) VALUES (1, ''); -- below every id: fold the whole ledger

CREATE TABLE op_unfolded (id TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;
CREATE TABLE op_folded_ahead (id TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;

CREATE TRIGGER op_late AFTER INSERT ON operations
WHEN NEW.id <= (SELECT watermark FROM op_fold WHERE id = 1)
BEGIN
    INSERT INTO op_unfolded (id) VALUES (NEW.id);
END;

-- The operations that the top customers and the active count read, packed per UTC month
-- and per hash bucket of the customer id (format in localdb/custmonths.go): a month of
-- a busy shop is a few hundred rows, where one row per operation or per customer costs
-- more to read than the dashboard's budget.
CREATE TABLE customer_months (
    month  INTEGER NOT NULL, -- UTC year * 12 + month - 1
    bucket INTEGER NOT NULL,
    data   BLOB NOT NULL,
    PRIMARY KEY (month, bucket)
) STRICT, WITHOUT ROWID;

-- Back to the index of 0001: the top customers no longer scan the ledger, and a narrower
-- entry costs the counter's commit less.
DROP INDEX operations_customer;
CREATE INDEX operations_customer ON operations (customer_id, at);

-- Survey invitations counted by quarter of an hour, folded with their purchase: an
-- invitation is made in the counter's commit.
CREATE TABLE nps_invitation_quarters (
    quarter INTEGER PRIMARY KEY, -- Unix time / 900
    n       INTEGER NOT NULL
) STRICT;

-- Survey answers counted by quarter of an hour and score, for the dashboard's score: a
-- day in any time zone in use starts on a quarter. Answers are written at the kiosk and
-- by sync, never in the counter's commit, so triggers keep the counts.
CREATE TABLE nps_quarters (
    quarter INTEGER NOT NULL, -- Unix time / 900
    score   INTEGER NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (quarter, score)
) STRICT, WITHOUT ROWID;

INSERT INTO nps_quarters (quarter, score, n)
SELECT at / 900000, score, count(*) FROM nps_responses GROUP BY at / 900000, score;

CREATE TRIGGER nps_quarters_add AFTER INSERT ON nps_responses
BEGIN
    INSERT INTO nps_quarters (quarter, score, n) VALUES (NEW.at / 900000, NEW.score, 1)
    ON CONFLICT (quarter, score) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER nps_quarters_remove AFTER DELETE ON nps_responses
BEGIN
    UPDATE nps_quarters SET n = n - 1 WHERE quarter = OLD.at / 900000 AND score = OLD.score;
END;

CREATE TRIGGER nps_quarters_change AFTER UPDATE OF score, at ON nps_responses
BEGIN
    UPDATE nps_quarters SET n = n - 1 WHERE quarter = OLD.at / 900000 AND score = OLD.score;
    INSERT INTO nps_quarters (quarter, score, n) VALUES (NEW.at / 900000, NEW.score, 1)
    ON CONFLICT (quarter, score) DO UPDATE SET n = n + 1;
END;
