-- Roles per device. A device enrolled before roles existed keeps what it did: the
-- owner device stays the owner; any other was enrolled as a cashier's device, and a
-- till may do everything the app asks of a counter or of its customer screen, so no
-- device stops syncing. The owner makes a kiosk a kiosk by enrolling it again.
ALTER TABLE devices ADD COLUMN role TEXT NOT NULL DEFAULT 'till';
UPDATE devices SET role = 'owner' WHERE owner = 1;
ALTER TABLE codes ADD COLUMN role TEXT NOT NULL DEFAULT 'till';
UPDATE codes SET role = 'owner' WHERE owner = 1;

-- Per-shop storage quota: the bytes of the change bodies the shop has stored, and of
-- the records of its rejected changes. Before this step it counts the characters of
-- the bodies, close enough for a quota.
ALTER TABLE shops ADD COLUMN stored_bytes BIGINT NOT NULL DEFAULT 0;
UPDATE shops SET stored_bytes = (SELECT COALESCE(SUM(LENGTH(body)), 0) FROM changes WHERE changes.shop_id = shops.id);

-- Per-shop email quota per day, and the addresses a shop already wrote to.
ALTER TABLE outbox ADD COLUMN created_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX outbox_shop_created ON outbox (shop_id, created_at);
CREATE INDEX outbox_shop_recipient ON outbox (shop_id, recipient);

-- Self-service visits by card, to hold a kiosk to the program's visit limit.
CREATE TABLE visits (
	shop_id   TEXT NOT NULL,
	op_id     TEXT NOT NULL,
	card_code TEXT NOT NULL,
	at        BIGINT NOT NULL,
	PRIMARY KEY (shop_id, op_id)
);
CREATE INDEX visits_card ON visits (shop_id, card_code, at);

-- Cancellations by the operation they cancel, so that a till cannot give back twice.
CREATE TABLE voids (
	shop_id TEXT NOT NULL,
	op_id   TEXT NOT NULL,
	target  TEXT NOT NULL,
	PRIMARY KEY (shop_id, op_id)
);
CREATE INDEX voids_target ON voids (shop_id, target);
