-- Council areas are stored by their GSS code (S12000047), the code the
-- postcode directory and Open Referral feeds use, and shown by name
-- (core/council_areas.go). Before, the network file and the staff form
-- stored whatever was typed, a name or a code: a district stored as
-- "Fife" and a service as S12000047 never matched. Names of Scotland's
-- council areas already stored become their codes; anything else is left
-- as it is.
CREATE TEMPORARY TABLE council_area_names (name text PRIMARY KEY, code text NOT NULL) ON COMMIT DROP;
INSERT INTO council_area_names (name, code) VALUES
    ('clackmannanshire', 'S12000005'),
    ('dumfries and galloway', 'S12000006'),
    ('east ayrshire', 'S12000008'),
    ('east lothian', 'S12000010'),
    ('east renfrewshire', 'S12000011'),
    ('na h-eileanan siar', 'S12000013'),
    ('falkirk', 'S12000014'),
    ('highland', 'S12000017'),
    ('inverclyde', 'S12000018'),
    ('midlothian', 'S12000019'),
    ('moray', 'S12000020'),
    ('north ayrshire', 'S12000021'),
    ('orkney islands', 'S12000023'),
    ('scottish borders', 'S12000026'),
    ('shetland islands', 'S12000027'),
    ('south ayrshire', 'S12000028'),
    ('south lanarkshire', 'S12000029'),
    ('stirling', 'S12000030'),
    ('aberdeen city', 'S12000033'),
    ('aberdeenshire', 'S12000034'),
    ('argyll and bute', 'S12000035'),
    ('city of edinburgh', 'S12000036'),
    ('renfrewshire', 'S12000038'),
    ('west dunbartonshire', 'S12000039'),
    ('west lothian', 'S12000040'),
    ('angus', 'S12000041'),
    ('dundee city', 'S12000042'),
    ('east dunbartonshire', 'S12000045'),
    ('fife', 'S12000047'),
    ('perth and kinross', 'S12000048'),
    ('glasgow city', 'S12000049'),
    ('north lanarkshire', 'S12000050'),
    ('edinburgh', 'S12000036'),
    ('glasgow', 'S12000049'),
    ('aberdeen', 'S12000033'),
    ('dundee', 'S12000042'),
    ('western isles', 'S12000013'),
    ('eilean siar', 'S12000013'),
    ('comhairle nan eilean siar', 'S12000013'),
    ('orkney', 'S12000023'),
    ('shetland', 'S12000027'),
    ('borders', 'S12000026'),
    ('perth & kinross', 'S12000048'),
    ('argyll & bute', 'S12000035'),
    ('dumfries & galloway', 'S12000006');

UPDATE postcode_districts d SET council_area = n.code
FROM council_area_names n WHERE lower(btrim(d.council_area)) = n.name;
UPDATE postcode_districts SET council_area = upper(btrim(council_area))
WHERE upper(btrim(council_area)) IN (SELECT code FROM council_area_names) AND council_area <> upper(btrim(council_area));

UPDATE services s SET council_areas = (
    SELECT coalesce(array_agg(code ORDER BY first), '{}') FROM (
        SELECT coalesce(n.code, CASE WHEN upper(btrim(a)) IN (SELECT code FROM council_area_names) THEN upper(btrim(a)) ELSE a END) AS code,
               min(i) AS first
        FROM unnest(s.council_areas) WITH ORDINALITY AS t(a, i)
        LEFT JOIN council_area_names n ON n.name = lower(btrim(a))
        GROUP BY 1) AS mapped)
WHERE cardinality(s.council_areas) > 0;
