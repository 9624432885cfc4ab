-- Replies and opt-outs: what members text back, read from Twilio by polling (Herald has no
-- public address for webhooks), each stored once by its SID and classified.
-- kind: opt_out (Twilio's STOP words), opt_in (START words), help (HELP words),
--   possible_opt_out (wording a person reads as an opt-out that Twilio does not block; staff
--   confirm it), reply (anything else).
-- sender: whose opt-out list the reply speaks to: our number, or the Messaging Service (MG…)
--   when the number belongs to one, as Twilio keeps it.
-- campaign_id: the campaign whose last text to that number came before the reply.
CREATE TABLE replies (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    sid           TEXT NOT NULL UNIQUE,
    from_e164     TEXT NOT NULL,
    to_number     TEXT NOT NULL,
    sender        TEXT NOT NULL,
    body          TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    kind          TEXT NOT NULL
                  CHECK (kind IN ('opt_out','opt_in','help','possible_opt_out','reply')),
    campaign_id   INTEGER REFERENCES campaigns(id) ON DELETE SET NULL,
    confirmed_at  TEXT,
    stored_at     TEXT NOT NULL
) STRICT;

CREATE INDEX replies_campaign ON replies (campaign_id, received_at);
CREATE INDEX replies_from ON replies (from_e164, received_at);
CREATE INDEX replies_received ON replies (received_at);
-- A reply is matched to the last text Herald sent to that number before it.
CREATE INDEX messages_to_sent ON messages (to_e164, sent_at) WHERE sent_at IS NOT NULL;

-- Where reply polling has read up to, per sender: the next poll re-reads from the day before.
CREATE TABLE reply_sync (
    sender      TEXT PRIMARY KEY NOT NULL,
    synced_at   TEXT NOT NULL
) STRICT;

-- The opt-out list becomes one list per sender, as Twilio keeps it. '*' is every sender
-- (what Herald kept before, and staff entries unless they name a sender).
CREATE TABLE opt_outs_by_sender (
    sender       TEXT NOT NULL DEFAULT '*',
    phone_e164   TEXT NOT NULL,
    source       TEXT NOT NULL
                 CHECK (source IN ('twilio_stop','replied_stop','confirmed_reply','import','manual')),
    campaign_id  INTEGER REFERENCES campaigns(id) ON DELETE SET NULL,
    reply_id     INTEGER REFERENCES replies(id) ON DELETE SET NULL,
    note         TEXT,
    added_at     TEXT NOT NULL,
    PRIMARY KEY (sender, phone_e164)
) STRICT;
INSERT INTO opt_outs_by_sender (sender, phone_e164, source, campaign_id, note, added_at)
    SELECT '*', phone_e164, source, campaign_id, note, added_at FROM opt_outs;
DROP TABLE opt_outs;
ALTER TABLE opt_outs_by_sender RENAME TO opt_outs;
CREATE INDEX opt_outs_phone ON opt_outs (phone_e164);

-- Every change to the opt-out list, kept: who or what added or removed a number and why.
CREATE TABLE opt_out_changes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    sender      TEXT NOT NULL,
    phone_e164  TEXT NOT NULL,
    change      TEXT NOT NULL CHECK (change IN ('added','removed')),
    source      TEXT NOT NULL,
    reason      TEXT,
    reply_id    INTEGER REFERENCES replies(id) ON DELETE SET NULL,
    at          TEXT NOT NULL
) STRICT;

CREATE INDEX opt_out_changes_phone ON opt_out_changes (phone_e164, at);

-- Write-backs caused by a reply (TEXTUNSUB on an opt-out, TEXTUNSUB_A on an opt-in) name
-- the reply; 0 for those caused by a send. One per message, kind and reply.
CREATE TABLE writebacks_v2 (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id       INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    kind             TEXT NOT NULL
                     CHECK (kind IN ('activity','communication_log','unsubscribe','resubscribe')),
    reply_id         INTEGER NOT NULL DEFAULT 0,
    state            TEXT NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending','in_flight','done','failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    last_error       TEXT,
    imis_key         TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    uncertain        INTEGER NOT NULL DEFAULT 0 CHECK (uncertain IN (0, 1)),
    UNIQUE (message_id, kind, reply_id)
) STRICT;
INSERT INTO writebacks_v2 (id, message_id, kind, state, attempts, next_attempt_at, last_error,
                           imis_key, created_at, updated_at, uncertain)
    SELECT id, message_id, kind, state, attempts, next_attempt_at, last_error, imis_key,
           created_at, updated_at, uncertain FROM writebacks;
DROP TABLE writebacks;
ALTER TABLE writebacks_v2 RENAME TO writebacks;
CREATE INDEX writebacks_due ON writebacks (state, next_attempt_at);
