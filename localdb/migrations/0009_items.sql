-- The number of items a purchase counted ("2 × menu"), which a program may reward per
-- item; 0 for a purchase whose items were not counted and every other operation.
ALTER TABLE operations ADD COLUMN items INTEGER NOT NULL DEFAULT 0;
