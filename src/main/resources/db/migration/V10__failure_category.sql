-- What kind of failure a failed entry's is (schema, conflict, not-found, mapping, rejected, unavailable, access-refused,
-- configuration): the pipe's failure policy per category, and the operator's retry and dismissal by category.
ALTER TABLE entry_state ADD COLUMN failure_category VARCHAR(32);
