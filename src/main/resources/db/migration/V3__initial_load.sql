-- Where a pipe's change feed stood when its initial load first started: a load that a crash interrupted starts
-- again from the same position, so what changed between the attempts is replayed from the feed afterwards.
-- The row goes when the load's checkpoint is saved.
CREATE TABLE pipe_initial_load (
    pipe        VARCHAR(200)    NOT NULL PRIMARY KEY,
    token       VARCHAR(100000) NOT NULL,
    started_at  TIMESTAMP       NOT NULL
);
