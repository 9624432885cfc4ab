-- The dashboard's message grid sorts and searches a campaign's messages in the database
-- (a campaign can hold 250,000): indexes for the sortable columns, and a trigram index
-- for "search by name, ID or number" anywhere in the text.
CREATE INDEX messages_campaign_sent ON messages (campaign_id, sent_at);
CREATE INDEX messages_campaign_updated ON messages (campaign_id, updated_at);
CREATE INDEX messages_campaign_segments ON messages (campaign_id, segments);

CREATE VIRTUAL TABLE messages_search USING fts5 (
    member_name, imis_id, to_e164,
    content = 'messages', content_rowid = 'id', tokenize = 'trigram'
);

INSERT INTO messages_search (rowid, member_name, imis_id, to_e164)
    SELECT id, member_name, imis_id, to_e164 FROM messages;

CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_search (rowid, member_name, imis_id, to_e164)
    VALUES (new.id, new.member_name, new.imis_id, new.to_e164);
END;

CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_search (messages_search, rowid, member_name, imis_id, to_e164)
    VALUES ('delete', old.id, old.member_name, old.imis_id, old.to_e164);
END;

CREATE TRIGGER messages_search_update AFTER UPDATE OF member_name, imis_id, to_e164 ON messages BEGIN
    INSERT INTO messages_search (messages_search, rowid, member_name, imis_id, to_e164)
    VALUES ('delete', old.id, old.member_name, old.imis_id, old.to_e164);
    INSERT INTO messages_search (rowid, member_name, imis_id, to_e164)
    VALUES (new.id, new.member_name, new.imis_id, new.to_e164);
END;
