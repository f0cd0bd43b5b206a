-- Demand by deprivation (SIMD) and by council ward (core/area.go,
-- core/report/demand_area.go).
--
-- The postcode file (ONS Postcode Directory) also says, per postcode, its
-- 2011 data zone (lsoa11), electoral ward (osward) and, for a Scottish
-- data zone, the data zone's SIMD rank (imd: 1 = most deprived of 6976).
-- They are kept with the postcode; the decile is worked out from the rank
-- once, at import (core.SIMDDecile). '' and NULL are "not in the file".
ALTER TABLE postcodes
    ADD COLUMN data_zone text NOT NULL DEFAULT '',
    ADD COLUMN ward_code text NOT NULL DEFAULT '',
    ADD COLUMN simd_rank smallint CHECK (simd_rank BETWEEN 1 AND 6976),
    ADD COLUMN simd_decile smallint CHECK (simd_decile BETWEEN 1 AND 10),
    ADD CONSTRAINT postcodes_simd_check CHECK ((simd_rank IS NULL) = (simd_decile IS NULL));

-- Ward names, from the ONS "Ward names and codes" file, so reports can
-- name a ward rather than show its code. An import replaces them all.
CREATE TABLE wards (
    code text PRIMARY KEY,
    name text NOT NULL
);

-- A referral keeps the coarse area facts of the client's postcode as it
-- was made: the SIMD decile of its data zone (the quintile is worked out
-- from it) and its ward. Not the data zone itself (a few hundred
-- households), nor the rank: reports need no more. NULL is "not known":
-- no postcode given, or one the postcode file does not have.
ALTER TABLE referrals
    ADD COLUMN simd_decile smallint CHECK (simd_decile BETWEEN 1 AND 10),
    ADD COLUMN ward_code text;

-- Demand by area, kept apart (as report_district is) so the ward does not
-- multiply the rows of every other report. simd_decile 0 and ward_code ''
-- are "not known".
CREATE TABLE report_area (
    day          date NOT NULL,
    need         text NOT NULL,
    to_agency    bigint NOT NULL,
    from_agency  bigint NOT NULL,
    simd_decile  smallint NOT NULL,
    ward_code    text NOT NULL,
    n            int NOT NULL DEFAULT 0,
    n_new        int NOT NULL DEFAULT 0
);
CREATE INDEX report_area_need_idx ON report_area (need, day);
CREATE INDEX report_area_to_idx ON report_area (need, to_agency, day);
CREATE INDEX report_area_from_idx ON report_area (need, from_agency, day);
CREATE INDEX report_area_day_idx ON report_area (day);

CREATE TABLE report_area_monthly (LIKE report_area INCLUDING DEFAULTS);
CREATE INDEX report_area_monthly_need_idx ON report_area_monthly (need, day);
CREATE INDEX report_area_monthly_to_idx ON report_area_monthly (need, to_agency, day);
CREATE INDEX report_area_monthly_from_idx ON report_area_monthly (need, from_agency, day);
CREATE INDEX report_area_monthly_day_idx ON report_area_monthly (day);

-- The next refresh rebuilds every rollup, so the new ones are filled.
UPDATE report_refresh SET watermark = NULL;
