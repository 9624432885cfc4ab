-- A write-back whose POST may have reached iMIS (timeout, dropped connection, crash while
-- in flight) is "uncertain": the worker looks for the record in iMIS before posting again.
ALTER TABLE writebacks ADD COLUMN uncertain INTEGER NOT NULL DEFAULT 0 CHECK (uncertain IN (0, 1));
