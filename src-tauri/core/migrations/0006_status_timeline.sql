-- The dashboard's "statuses over time" chart counts final statuses by the time they arrived:
-- an index on (campaign, status, time) answers it from the index alone. The (campaign,
-- status) index stays: it orders a status group by id, which the grid's Status sort and the
-- poller's list of unsettled messages rely on.
CREATE INDEX messages_campaign_status_updated ON messages (campaign_id, status, updated_at);
