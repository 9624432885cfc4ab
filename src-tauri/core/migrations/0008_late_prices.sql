-- Twilio prices a message some time after sending it, at times after its final status
-- ("price: null until priced"). Delivered and undelivered messages without a price keep
-- being polled (for as long as statuses are); this index finds them without reading the
-- priced ones, however large the campaign.
CREATE INDEX messages_awaiting_price ON messages (campaign_id, sent_at)
  WHERE price IS NULL AND status IN ('delivered', 'undelivered') AND twilio_sid IS NOT NULL;
