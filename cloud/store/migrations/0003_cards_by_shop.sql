-- Card codes are scoped to their shop: the same code in two shops is two cards, and
-- a shop's card page is /c/TAG/CODE. The tag of a shop created before this step is
-- taken from its random id, as CreateShop does.
ALTER TABLE shops ADD COLUMN tag TEXT NOT NULL DEFAULT '';
UPDATE shops SET tag = substr(id, 1, 8) || substr(id, 10, 2);
CREATE UNIQUE INDEX shops_tag ON shops (tag);

-- legacy = 1 marks the cards of the one namespace before this step, whose printed
-- QR codes may hold /c/CODE: that address keeps showing them, and only them.
CREATE TABLE cards_by_shop (
	shop_id     TEXT NOT NULL,
	code        TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	status      TEXT NOT NULL,
	replaced_by TEXT NOT NULL,
	legacy      INTEGER NOT NULL,
	PRIMARY KEY (shop_id, code)
);
INSERT INTO cards_by_shop (shop_id, code, customer_id, status, replaced_by, legacy)
	SELECT shop_id, code, customer_id, status, replaced_by, 1 FROM cards;
DROP TABLE cards;
ALTER TABLE cards_by_shop RENAME TO cards;
CREATE INDEX cards_legacy ON cards (code, legacy);
