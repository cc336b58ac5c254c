-- Removals the deletion guard held: a run that would delete or disable more of a pipe's linked entries than its limit
-- makes none of them; each waits here, its link untouched, until an operator approves it (it goes down the road
-- again and is removed if it still should be) or rejects it (the destination entry is kept and unlinked).
CREATE TABLE held_removal (
    pipe             VARCHAR(200)  NOT NULL,
    source_id        VARCHAR(512)  NOT NULL,
    destination_ref  VARCHAR(4000),
    action           VARCHAR(16)   NOT NULL,
    reason           VARCHAR(4000),
    held_at          TIMESTAMP     NOT NULL,
    PRIMARY KEY (pipe, source_id)
);
