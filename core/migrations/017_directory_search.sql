-- The directory's searches answer from indexes. A search matches a
-- service's words (full text of its name and description) OR its name OR
-- its agency's name (as typed, anywhere in the name); with the agency's
-- name in another table and the words computed per row, no index served
-- the OR and every search read every service. Now each branch has its
-- own index on the services table, so Postgres can OR their bitmaps:
-- the words as a stored tsvector, the names by trigram.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The words of a service, computed once when it is written (the same
-- expression searches used to compute on every row).
ALTER TABLE services ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('english', name || ' ' || description)) STORED;
DROP INDEX services_search_idx;
CREATE INDEX services_search_vector_idx ON services USING gin (search_vector);

-- The agency's name beside each of its services, kept by the triggers
-- below: a service takes its agency's name when written or moved, and a
-- renamed agency renames it on its services.
ALTER TABLE services ADD COLUMN agency_name text NOT NULL DEFAULT '';
UPDATE services s SET agency_name = a.name FROM agencies a WHERE a.id = s.agency_id;

CREATE FUNCTION services_agency_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.agency_name := (SELECT name FROM agencies WHERE id = NEW.agency_id);
    RETURN NEW;
END;
$$;
CREATE TRIGGER services_agency_name BEFORE INSERT OR UPDATE OF agency_id, agency_name ON services
    FOR EACH ROW EXECUTE FUNCTION services_agency_name();

CREATE FUNCTION agencies_name_to_services() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE services SET agency_name = NEW.name WHERE agency_id = NEW.id;
    RETURN NEW;
END;
$$;
CREATE TRIGGER agencies_name_to_services AFTER UPDATE OF name ON agencies
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION agencies_name_to_services();

CREATE INDEX services_name_trgm_idx ON services USING gin (name gin_trgm_ops);
CREATE INDEX services_agency_name_trgm_idx ON services USING gin (agency_name gin_trgm_ops);

-- A need's term in another taxonomy carries its name there, so the Open
-- Referral feed can publish it beside the need (the network file names it).
ALTER TABLE need_terms ADD COLUMN name text NOT NULL DEFAULT '';
