-- Check values of the keys a deployment must keep: a keyed hash of a fixed label,
-- written by the first serve or worker to start and compared by every later one,
-- so a wrong key stops it at start whatever the rows of clients hold (cmd/onward
-- keycheck.go). 'hash-key' is the phone lookup hash key's (ONWARD_HASH_KEY, or the
-- one derived from ONWARD_ENCRYPTION_KEY): a check value gives away no more than
-- any stored phone hash does.
CREATE TABLE key_checks (
    name       text PRIMARY KEY,
    value      bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
