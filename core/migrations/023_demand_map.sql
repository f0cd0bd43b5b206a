-- A map of demand (issue: outcomes that funders ask for, item 6).
--
-- A district's point for the map, when the network file gives one; without
-- it the map uses the middle of the district's postcodes.
ALTER TABLE postcode_districts
    ADD COLUMN latitude double precision CHECK (latitude BETWEEN -90 AND 90),
    ADD COLUMN longitude double precision CHECK (longitude BETWEEN -180 AND 180),
    ADD CONSTRAINT postcode_districts_point_check CHECK ((latitude IS NULL) = (longitude IS NULL));

-- Boundaries the network supplies as GeoJSON (`onward network boundaries`),
-- drawn under the map's circles: one row per feature of the file, in the
-- file's order, its geometry a GeoJSON Polygon or MultiPolygon in WGS84
-- longitude/latitude. An import replaces them all.
CREATE TABLE map_boundaries (
    position    integer PRIMARY KEY CHECK (position >= 0),
    name        text NOT NULL DEFAULT '',
    geometry    jsonb NOT NULL,
    imported_at timestamptz NOT NULL
);
