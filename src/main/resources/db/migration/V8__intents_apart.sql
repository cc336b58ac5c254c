-- Intents apart from the entries' rows. An intent is written before a create, delete or rename and goes with the
-- outcome, so this table holds only the writes in flight (and what a crash left): small, cheap to write. The entry's
-- row is then written once per outcome; it was written twice (with the intent, with the outcome), each time in
-- every index of the table.
CREATE TABLE entry_intent (
    pipe        VARCHAR(200)  NOT NULL,
    source_id   VARCHAR(512)  NOT NULL,
    action      VARCHAR(16)   NOT NULL,
    ref         VARCHAR(4000),
    criteria    VARCHAR(4000),
    noted_at    TIMESTAMP     NOT NULL,
    PRIMARY KEY (pipe, source_id)
);

INSERT INTO entry_intent (pipe, source_id, action, ref, criteria, noted_at)
    SELECT pipe, source_id, pending_action, pending_ref, pending_criteria, updated_at FROM entry_state WHERE pending_action IS NOT NULL;

-- an entry that had an intent and no outcome yet is now its intent alone
DELETE FROM entry_state WHERE status = 'PENDING' AND pending_action IS NOT NULL;

ALTER TABLE entry_state DROP COLUMN pending_action;
ALTER TABLE entry_state DROP COLUMN pending_ref;
ALTER TABLE entry_state DROP COLUMN pending_criteria;

-- the figures are counted through entry_state_status (pipe, status): one index fewer to write with each outcome
DROP INDEX entry_state_figures;
