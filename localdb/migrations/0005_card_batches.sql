-- Printed cards: the cards issued together for a print run, so that a batch can be
-- listed, reprinted and exported. This is the device's own record of what it printed and
-- is not synced: the cards, their anonymous customers and their opening balances are, as
-- usual, through the outbox.
CREATE TABLE card_batches (
    batch_id         TEXT NOT NULL,    -- UUIDv7: sorts by time
    pos              INTEGER NOT NULL, -- the card's place on the sheets
    code             TEXT NOT NULL UNIQUE REFERENCES cards (code),
    issued_at        INTEGER NOT NULL,
    -- The opening balance each card of the batch was credited with (the operation itself
    -- is in the ledger): points, or cashback in minor units.
    opening_points   INTEGER NOT NULL DEFAULT 0,
    opening_cashback INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (batch_id, pos)
) STRICT, WITHOUT ROWID;
