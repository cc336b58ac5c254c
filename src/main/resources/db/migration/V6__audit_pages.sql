-- The audit log is read a page at a time, newest first (ORDER BY id DESC, keyset: id < the last of the page before),
-- filtered by pipe, entry, outcome or operation. Each filter has an index that ends with the id, and the query orders
-- by the filter's columns first (constant within it), so the database walks the index in page order and reads about
-- 100 entries. Before, a page of one pipe sorted every record of that pipe: p99 1.4 s over 100,000 records, 10 readers.
DROP INDEX audit_record_entry;
CREATE INDEX audit_record_entry_page ON audit_record (pipe, source_id, id DESC);
CREATE INDEX audit_record_pipe_page ON audit_record (pipe, id DESC);
CREATE INDEX audit_record_outcome_page ON audit_record (outcome, id DESC);
CREATE INDEX audit_record_operation_page ON audit_record (operation, id DESC);
