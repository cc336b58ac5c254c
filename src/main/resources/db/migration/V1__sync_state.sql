-- idsync state: where each pipe stands in its source's change feed, the links between source and
-- destination entries with each entry's last outcome, and the pipe's counters.

CREATE TABLE pipe_checkpoint (
    pipe        VARCHAR(200)    NOT NULL PRIMARY KEY,
    token       VARCHAR(100000) NOT NULL,
    updated_at  TIMESTAMP       NOT NULL
);

CREATE TABLE pipe_counter (
    pipe   VARCHAR(200) NOT NULL,
    counter_name   VARCHAR(64)  NOT NULL,
    counter_value  BIGINT       NOT NULL,
    PRIMARY KEY (pipe, counter_name)
);

-- one row per source entry a pipe has acted on: the link (destination_ref/destination_id, null once the
-- destination entry is deleted) and the last outcome (SYNCED, FAILED with its reason, REMOVED)
CREATE TABLE entry_state (
    pipe             VARCHAR(200)  NOT NULL,
    source_id        VARCHAR(512)  NOT NULL,
    destination_ref  VARCHAR(4000),
    destination_id   VARCHAR(512),
    status           VARCHAR(32)   NOT NULL,
    reason           VARCHAR(4000),
    updated_at       TIMESTAMP     NOT NULL,
    PRIMARY KEY (pipe, source_id)
);

CREATE INDEX entry_state_status ON entry_state (pipe, status);
