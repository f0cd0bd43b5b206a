-- The events written before keyed hashing began (013) keep their unkeyed
-- SHA-256 chain, and verify accepted an unkeyed event whenever its id was
-- below audit_log_start.keyed_from. But the id is the inserter's to choose
-- (OVERRIDING SYSTEM VALUE needs only INSERT), and the unkeyed hash needs
-- no key: a role that may only append to the log could add an event
-- anywhere below that id, a negative one included, with a hash verify took.
-- So the events written before keyed hashing are listed here once, by id,
-- and an unkeyed event is accepted only when it is one of them. The server's
-- role may only read this table (core.GrantAppRole).
CREATE TABLE audit_unkeyed_events (
    id bigint PRIMARY KEY
);
INSERT INTO audit_unkeyed_events
SELECT id FROM events WHERE NOT keyed AND id < (SELECT keyed_from FROM audit_log_start);
