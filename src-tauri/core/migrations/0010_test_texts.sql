-- "Send a test text to my phone": one real text of a campaign's message, to the staffer's
-- own number. Like a send attempt it is recorded before the request leaves and closed with
-- Twilio's SID or its refusal; one still 'sending' after a crash is looked up at Twilio,
-- never sent again. It counts against the daily cap and is never written back to iMIS.
CREATE TABLE test_texts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id  INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    to_e164      TEXT NOT NULL,
    as_imis_id   TEXT,
    body         TEXT NOT NULL,
    segments     INTEGER NOT NULL,
    counted_day  TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'sending' CHECK (state IN ('sending','sent','failed')),
    twilio_sid   TEXT,
    detail       TEXT,
    started_at   TEXT NOT NULL,
    finished_at  TEXT
) STRICT;

CREATE INDEX test_texts_open ON test_texts (started_at) WHERE state = 'sending';
CREATE INDEX test_texts_day ON test_texts (counted_day);
