-- Who runs each pipe when several instances share this database (PostgreSQL): the instance whose session holds the
-- pipe's advisory lock, which raises the token each time it takes the pipe. A write of outcomes or of a checkpoint
-- commits only while the token it runs with is still the pipe's: an instance that lost the pipe while paused cannot
-- overwrite its successor's. Unused on the embedded H2 (one instance).
CREATE TABLE pipe_lease (
    pipe    VARCHAR(200) NOT NULL PRIMARY KEY,
    token   BIGINT       NOT NULL,
    holder  VARCHAR(255) NOT NULL,
    since   TIMESTAMP    NOT NULL
);
