-- The owner cancels past operations. A cancellation's id carries the time of the
-- operation it cancels (loyalty.VoidID: two devices cancelling the same operation make
-- the same one), so the lists of a period find cancellations by their own time.
CREATE INDEX operations_void_at ON operations (at) WHERE kind = 'void';
