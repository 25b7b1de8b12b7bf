-- The shops an operator suspended (merci-cloud shop suspend): their devices are
-- refused, their card pages say the card is unavailable, their emails wait.
CREATE TABLE shop_suspensions (
	shop_id      TEXT PRIMARY KEY REFERENCES shops (id),
	suspended_at BIGINT NOT NULL
);
