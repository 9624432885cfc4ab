-- 0006 dropped the (campaign, status) index, taking the new (campaign, status, updated_at)
-- one for a superset. It is not: within a status group the old one orders by id, which the
-- grid's Status sort and the poller's list of unsettled messages rely on. Back it comes
-- (0006 itself stays as it was applied: an applied migration is never edited).
CREATE INDEX IF NOT EXISTS messages_campaign_status ON messages (campaign_id, status);
