-- The audit search (core/audit_search.go) reads the log newest first, a
-- page at a time, by keyset on (created_at, id): this index serves the
-- order, the days and the keyset, so a page costs its own rows and not a
-- sort of the whole log. The second serves "what did this member of staff
-- (or partner system) do", newest first.
CREATE INDEX events_created_idx ON events (created_at, id);
CREATE INDEX events_actor_idx ON events (actor_kind, actor_id, created_at, id) WHERE actor_id IS NOT NULL;
