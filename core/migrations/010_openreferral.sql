-- The directory as Open Referral UK (HSDS 3.0, UK profile): a stable UUID
-- for every published record, given once here and never changed;
-- locations (with optional coordinates) linked to services; structured
-- opening hours, ages, cost options and terms of other taxonomies for
-- services; and the postcodes a network supplies to place people and
-- locations on the map.

ALTER TABLE agencies ADD COLUMN uuid uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE agencies ADD CONSTRAINT agencies_uuid_key UNIQUE (uuid);

ALTER TABLE services ADD COLUMN uuid uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE services ADD CONSTRAINT services_uuid_key UNIQUE (uuid);
-- Services that came in by `onward directory import` wait until a
-- coordinator enables them before matching offers them.
ALTER TABLE services ADD COLUMN referable boolean NOT NULL DEFAULT true;
ALTER TABLE services ADD COLUMN url text NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN email text NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN minimum_age int CHECK (minimum_age >= 0);
ALTER TABLE services ADD COLUMN maximum_age int CHECK (maximum_age >= 0);
-- Regular opening hours as HSDS schedules ([{byday, opens_at, closes_at,
-- description}]). NULL: read them from opening_hours, where that text
-- parses (core.ParseOpeningHours), so today's text keeps one definition.
ALTER TABLE services ADD COLUMN schedules jsonb;
-- HSDS cost options ([{option, amount, amount_description}]).
ALTER TABLE services ADD COLUMN cost_options jsonb NOT NULL DEFAULT '[]';
-- Terms of other taxonomies an imported service was classified with,
-- kept as they came so an export says what the import read.
ALTER TABLE services ADD COLUMN external_terms jsonb NOT NULL DEFAULT '[]';

-- Where services are delivered. Every agency has a main location, kept
-- from its address text (from_agency) by the trigger below; imported
-- locations carry their own address parts and coordinates.
CREATE TABLE locations (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid            uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    agency_id       bigint NOT NULL REFERENCES agencies(id),
    main            boolean NOT NULL DEFAULT false,
    from_agency     boolean NOT NULL DEFAULT false,
    name            text NOT NULL DEFAULT '',
    description     text NOT NULL DEFAULT '',
    address_1       text NOT NULL DEFAULT '',
    city            text NOT NULL DEFAULT '',
    state_province  text NOT NULL DEFAULT '',
    postal_code     text NOT NULL DEFAULT '',
    country         text NOT NULL DEFAULT 'GB',
    latitude        double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude       double precision CHECK (longitude BETWEEN -180 AND 180),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX locations_main_idx ON locations (agency_id) WHERE main;
CREATE INDEX locations_postal_idx ON locations (postal_code);

CREATE TABLE service_locations (
    uuid         uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    service_id   bigint NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    location_id  bigint NOT NULL REFERENCES locations(id) ON DELETE CASCADE,
    PRIMARY KEY (service_id, location_id)
);
CREATE INDEX service_locations_location_idx ON service_locations (location_id);

-- The one reading of an agency's address text ("14 Kirk Wynd, Kirkton
-- KY1 1XX"): the postcode at its end, the town after the last comma, the
-- rest as the first line; the council area from the postcode district.
CREATE FUNCTION sync_main_location(agency bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    addr text;
    pc text;
    rest text;
BEGIN
    SELECT trim(address) INTO addr FROM agencies WHERE id = agency;
    pc := upper(substring(addr from '([A-Za-z]{1,2}[0-9][0-9A-Za-z]?\s*[0-9][A-Za-z]{2})\s*$'));
    pc := coalesce(regexp_replace(replace(pc, ' ', ''), '(...)$', ' \1'), '');
    rest := btrim(regexp_replace(addr, '\s*[A-Za-z]{1,2}[0-9][0-9A-Za-z]?\s*[0-9][A-Za-z]{2}\s*$', ''), ' ,');
    UPDATE locations SET
        address_1 = CASE WHEN position(',' IN rest) > 0 THEN btrim(regexp_replace(rest, ',[^,]*$', ''), ' ,') ELSE rest END,
        city = CASE WHEN position(',' IN rest) > 0 THEN btrim(substring(rest from ',([^,]*)$')) ELSE '' END,
        postal_code = pc,
        state_province = coalesce((SELECT council_area FROM postcode_districts WHERE district = split_part(pc, ' ', 1)), ''),
        country = 'GB',
        updated_at = (SELECT updated_at FROM agencies WHERE id = agency)
    WHERE agency_id = agency AND main AND from_agency;
END;
$$;

-- A new agency gets its main location; a changed address moves it.
CREATE FUNCTION agencies_main_location() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO locations (agency_id, main, from_agency) VALUES (NEW.id, true, true);
    END IF;
    PERFORM sync_main_location(NEW.id);
    RETURN NEW;
END;
$$;
CREATE TRIGGER agencies_main_location AFTER INSERT OR UPDATE OF address ON agencies
    FOR EACH ROW EXECUTE FUNCTION agencies_main_location();

INSERT INTO locations (agency_id, main, from_agency) SELECT id, true, true FROM agencies;
SELECT sync_main_location(id) FROM agencies;
INSERT INTO service_locations (service_id, location_id)
SELECT s.id, l.id FROM services s JOIN locations l ON l.agency_id = s.agency_id AND l.main;

-- A new service is delivered at its agency's main location, unless an
-- import links it elsewhere.
CREATE FUNCTION services_main_location() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO service_locations (service_id, location_id)
    SELECT NEW.id, l.id FROM locations l WHERE l.agency_id = NEW.agency_id AND l.main;
    RETURN NEW;
END;
$$;
CREATE TRIGGER services_main_location AFTER INSERT ON services
    FOR EACH ROW EXECUTE FUNCTION services_main_location();

-- Postcodes to coordinates, from the file the network supplies (the ONS
-- Postcode Directory's columns): `onward postcodes import FILE.csv`.
CREATE TABLE postcodes (
    postcode      text PRIMARY KEY,  -- standard form, "KY1 1AB"
    latitude      double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude     double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    district      text NOT NULL,
    council_code  text NOT NULL DEFAULT ''
);
CREATE INDEX postcodes_district_idx ON postcodes (district);

-- Where a need sits in other taxonomies, so imported services classified
-- with those terms are given the need.
CREATE TABLE need_terms (
    need      text NOT NULL,
    taxonomy  text NOT NULL DEFAULT '',
    term      text NOT NULL,  -- the term's id or code in that taxonomy
    PRIMARY KEY (taxonomy, term)
);

CREATE INDEX services_search_idx ON services USING gin (to_tsvector('english', name || ' ' || description));
