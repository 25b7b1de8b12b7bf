-- How far the alert emails have read each shop's log (QueueAlertMails).
CREATE TABLE alert_scans (
	shop_id TEXT PRIMARY KEY REFERENCES shops (id),
	version BIGINT NOT NULL
);
