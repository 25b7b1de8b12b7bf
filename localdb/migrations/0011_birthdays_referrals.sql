-- A customer's birthday (day and month, 0 when not given), for the program's birthday
-- reward, and the card code of the customer who referred them, for the referral bonus.
ALTER TABLE customers ADD COLUMN birth_day INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN birth_month INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN referred_by TEXT NOT NULL DEFAULT '';
