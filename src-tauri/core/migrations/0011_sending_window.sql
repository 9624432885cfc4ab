-- The sending window: texts reach people only at the hours and days a campaign allows, in
-- each recipient's own time zone.
-- campaigns.send_window: the campaign's window as JSON ({"start":"09:00","end":"20:00",
--   "days":["mon",…],"enabled":true}); NULL until it is scheduled, when the Settings' window
--   is written in (so a later change of Settings does not move a scheduled campaign).
-- messages.time_zone: the recipient's IANA zone, or several joined by '&' when the number
--   cannot be placed more precisely; NULL when unknown (the fallback zone applies).
ALTER TABLE campaigns ADD COLUMN send_window TEXT;
ALTER TABLE messages ADD COLUMN time_zone TEXT;
-- The engine counts what is left to send by zone before each batch.
CREATE INDEX messages_campaign_status_zone ON messages (campaign_id, status, time_zone);
