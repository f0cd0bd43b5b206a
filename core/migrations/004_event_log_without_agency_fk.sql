-- The audit log names the agency an event concerns but does not hold a
-- foreign key to it: every referral event of one agency would otherwise
-- share-lock that agency's row, and the log outlives what it describes.
ALTER TABLE events DROP CONSTRAINT events_agency_id_fkey;
ALTER TABLE events DROP CONSTRAINT events_actor_id_fkey;
