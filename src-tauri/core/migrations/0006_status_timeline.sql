-- The dashboard's "statuses over time" chart counts final statuses by the time they arrived:
-- an index on (campaign, status, time) answers it from the index alone. It also serves
-- every lookup the (campaign, status) index served, which it replaces.
CREATE INDEX messages_campaign_status_updated ON messages (campaign_id, status, updated_at);
DROP INDEX messages_campaign_status;
