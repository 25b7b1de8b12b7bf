-- The answer routine of issue 15: coupons the survey's rules issue last a given time,
-- and an answer can be handed to a staff member. Both are plain columns with defaults,
-- so rows written before, or pulled from a device that knows neither, stay valid.
ALTER TABLE coupons ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0; -- 0 = no end
ALTER TABLE nps_responses ADD COLUMN assignee TEXT NOT NULL DEFAULT ''; -- a staff id, '' = nobody
CREATE INDEX nps_responses_assignee ON nps_responses (assignee, at) WHERE assignee <> '';
