-- Where a draft's cached audience came from (file name or query path), so the wizard can
-- name it even before the ID and phone columns are chosen.
ALTER TABLE audience_snapshots ADD COLUMN source TEXT;
