-- The exactly-once ledger: an attempt row is committed before the HTTP request leaves,
-- and closed with Twilio's SID or a definite rejection after it. An attempt still open
-- at start-up is ambiguous and must be reconciled with Twilio before any retry.
CREATE TABLE send_attempts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id   INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    started_at   TEXT NOT NULL,
    outcome      TEXT NOT NULL DEFAULT 'open'
                 CHECK (outcome IN ('open','accepted','rejected','not_accepted','reconciled_sent','reconciled_absent')),
    twilio_sid   TEXT,
    error_code   INTEGER,
    detail       TEXT,
    finished_at  TEXT
) STRICT;

-- At most one open attempt per message, enforced by the database itself.
CREATE UNIQUE INDEX send_attempts_one_open ON send_attempts (message_id) WHERE outcome = 'open';
CREATE INDEX send_attempts_message ON send_attempts (message_id, id);

-- Segments counted against the daily cap, per UTC day (sent or reserved).
ALTER TABLE messages ADD COLUMN counted_day TEXT;
CREATE INDEX messages_counted_day ON messages (counted_day) WHERE counted_day IS NOT NULL;

-- Report emails: one row per trigger, so a report is never sent twice for the same trigger.
CREATE TABLE report_outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id      INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    trigger_key      TEXT NOT NULL,
    recipient        TEXT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','sent','failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    last_error       TEXT,
    created_at       TEXT NOT NULL,
    sent_at          TEXT,
    UNIQUE (campaign_id, trigger_key)
) STRICT;
