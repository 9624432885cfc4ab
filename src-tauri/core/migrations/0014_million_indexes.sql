-- Two indexes a million-recipient campaign showed were missing (benches/campaign.rs):
-- * The sender takes the next batch in audience order among the messages still to send.
--   With only (campaign, status), SQLite sorted every remaining message for each batch of
--   a hundred: quadratic, 73 s to send 100,000 TEST messages.
-- * A message's reply (the grid's and the report's "Their reply" column) is looked up by
--   campaign and number, newest first. SQLite used (campaign, received_at) and read every
--   reply of the campaign for each message: 34 s to build a 100,000-message report.
CREATE INDEX messages_campaign_status_row ON messages (campaign_id, status, row_index);
CREATE INDEX replies_campaign_from ON replies (campaign_id, from_e164, received_at);
