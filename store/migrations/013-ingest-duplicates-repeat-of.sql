-- 013: a message counted as a duplicate because it repeats an entity (an order, return, refund, claim
-- or decision) already stored under ANOTHER event id names that event here; NULL = the same event id
-- was re-sent (docs/ingest.md § Entities re-sent under a new id).
--
-- A column added in place: ingest_duplicates has no nextval() default and no index, so DuckDB
-- replays this ALTER from its write-ahead log (the 1.5.6 bug that made migration 011 a table of its
-- own needs a nextval() default; test/store/reopen-after-kill.test.ts applies every migration and
-- SIGKILLs the process before a checkpoint).
ALTER TABLE ingest_duplicates ADD COLUMN repeat_of VARCHAR;
