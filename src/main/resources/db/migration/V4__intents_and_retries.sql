-- What a pipe was about to do to a destination entry (create, delete, rename), written before it does it: a crash
-- between the destination's write and the outcome's leaves this row, so the replay finds the entry idsync
-- created (and deletes it if its source went meanwhile) or knows that the entry it deleted is gone by its hand.
-- pending_criteria holds the correlation criteria of a create, for destinations that name an entry only once it exists.
ALTER TABLE entry_state ADD COLUMN pending_action VARCHAR(16);
ALTER TABLE entry_state ADD COLUMN pending_ref VARCHAR(4000);
ALTER TABLE entry_state ADD COLUMN pending_criteria VARCHAR(4000);

-- which pipe owns a destination entry: looked up by the entry's id before a pipe links one it did not create
CREATE INDEX entry_state_destination ON entry_state (destination_id);

-- Entries to go down the road again at a pipe's next polls, with backoff: one that another pipe owns is retried
-- until that pipe lets it go (an entry moving from one pipe's scope to another's).
CREATE TABLE entry_retry (
    pipe          VARCHAR(200)  NOT NULL,
    source_id     VARCHAR(512)  NOT NULL,
    attempts      INT           NOT NULL,
    next_attempt  TIMESTAMP     NOT NULL,
    reason        VARCHAR(4000),
    PRIMARY KEY (pipe, source_id)
);
