-- Herald's initial schema. Times are UTC, stored as RFC 3339 text (sortable).
-- Statuses are stored as snake_case text and mapped to Rust enums via sqlx::Type;
-- the CHECK constraints keep stray strings out even if someone edits the file by hand.

CREATE TABLE settings (
    key         TEXT PRIMARY KEY NOT NULL,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE campaigns (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    name              TEXT NOT NULL CHECK (length(trim(name)) > 0),
    status            TEXT NOT NULL DEFAULT 'draft'
                      CHECK (status IN ('draft','scheduled','sending','paused','completed','canceled','archived')),
    archived_from     TEXT CHECK (archived_from IN ('draft','completed','canceled')),
    mode              TEXT NOT NULL DEFAULT 'test' CHECK (mode IN ('live','test')),
    report_email      TEXT,
    -- JSON: {"query":PATH,"params":{..},"id_column":..,"phone_column":..} or {"csv":PATH,..}
    audience          TEXT,
    template          TEXT NOT NULL DEFAULT '',
    skip_empty        INTEGER NOT NULL DEFAULT 0 CHECK (skip_empty IN (0,1)),
    write_back        TEXT NOT NULL DEFAULT 'activity'
                      CHECK (write_back IN ('activity','communication_log','none')),
    scheduled_at      TEXT,
    started_at        TEXT,
    completed_at      TEXT,
    pause_reason      TEXT,
    -- audience size as summarised when scheduled (the send-time size is the message count)
    summary_audience  INTEGER,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
) STRICT;

-- Names are unique among campaigns that are not archived.
CREATE UNIQUE INDEX campaigns_live_name ON campaigns (name COLLATE NOCASE) WHERE status <> 'archived';
CREATE INDEX campaigns_status ON campaigns (status, scheduled_at);

-- The audience as fetched for a draft, so it can be edited and summarised offline.
CREATE TABLE audience_snapshots (
    campaign_id  INTEGER PRIMARY KEY NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    fetched_at   TEXT NOT NULL,
    columns      TEXT NOT NULL,  -- JSON array of aliases
    rows         TEXT NOT NULL,  -- JSON array of arrays, in column order
    row_count    INTEGER NOT NULL
) STRICT;

-- One message per recipient row per campaign.
CREATE TABLE messages (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id      INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    row_index        INTEGER NOT NULL,
    imis_id          TEXT,
    member_name      TEXT,
    phone_raw        TEXT,
    to_e164          TEXT,
    body             TEXT NOT NULL,
    encoding         TEXT NOT NULL CHECK (encoding IN ('gsm7','ucs2')),
    segments         INTEGER NOT NULL,
    status           TEXT NOT NULL DEFAULT 'preparing'
                     CHECK (status IN ('preparing','sent','delivered','undelivered','failed','error','skipped','canceled')),
    status_reason    TEXT,
    twilio_sid       TEXT UNIQUE,
    twilio_status    TEXT,
    error_code       INTEGER,
    error_message    TEXT,
    twilio_segments  INTEGER,
    price            TEXT,
    price_unit       TEXT,
    sent_at          TEXT,
    updated_at       TEXT NOT NULL,
    writeback        TEXT NOT NULL DEFAULT 'not_needed'
                     CHECK (writeback IN ('not_needed','pending','done','failed')),
    UNIQUE (campaign_id, row_index)
) STRICT;

CREATE INDEX messages_campaign_status ON messages (campaign_id, status);
CREATE INDEX messages_campaign_to ON messages (campaign_id, to_e164);
CREATE INDEX messages_campaign_name ON messages (campaign_id, member_name COLLATE NOCASE);
CREATE INDEX messages_campaign_imis ON messages (campaign_id, imis_id);
CREATE INDEX messages_campaign_error ON messages (campaign_id, error_code) WHERE error_code IS NOT NULL;

-- Numbers that must never be texted again (STOP replies, imports, manual entries).
CREATE TABLE opt_outs (
    phone_e164   TEXT PRIMARY KEY NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('twilio_stop','import','manual')),
    campaign_id  INTEGER REFERENCES campaigns(id) ON DELETE SET NULL,
    note         TEXT,
    added_at     TEXT NOT NULL
) STRICT;

-- Durable queue of iMIS write-backs, drained independently of sending.
CREATE TABLE writebacks (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id       INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    kind             TEXT NOT NULL CHECK (kind IN ('activity','communication_log','unsubscribe')),
    state            TEXT NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending','in_flight','done','failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    last_error       TEXT,
    imis_key         TEXT,      -- the created entity's key (Activity SEQN)
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (message_id, kind)
) STRICT;

CREATE INDEX writebacks_due ON writebacks (state, next_attempt_at);

-- Append-only audit trail of everything that happened to a campaign. It deliberately has
-- no foreign key: the record of a deleted draft outlives the draft.
CREATE TABLE campaign_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id  INTEGER NOT NULL,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL CHECK (actor IN ('user','cli','scheduler','engine')),
    kind         TEXT NOT NULL,
    detail       TEXT
) STRICT;

CREATE INDEX campaign_events_campaign ON campaign_events (campaign_id, id);

CREATE TRIGGER campaign_events_no_update BEFORE UPDATE ON campaign_events
BEGIN SELECT RAISE(ABORT, 'campaign_events is append-only'); END;
CREATE TRIGGER campaign_events_no_delete BEFORE DELETE ON campaign_events
BEGIN SELECT RAISE(ABORT, 'campaign_events is append-only'); END;
