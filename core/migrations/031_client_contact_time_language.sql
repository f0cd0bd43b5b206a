-- A client's best time to contact them is one the forms offer, and their
-- language one Onward writes to clients in: core checks both from now on
-- (normaliseClient). Values stored before are mended so that referring a
-- client on and every later text read them right: a plural or "any time"
-- becomes the choice it means and anything else is left out; a language
-- tag with a region becomes its language, and a language Onward has no
-- words in becomes English, which the texts fell back to anyway.
UPDATE clients SET contact_time = CASE
        WHEN lower(btrim(contact_time)) IN ('morning', 'mornings') THEN 'morning'
        WHEN lower(btrim(contact_time)) IN ('afternoon', 'afternoons') THEN 'afternoon'
        WHEN lower(btrim(contact_time)) IN ('evening', 'evenings') THEN 'evening'
        WHEN lower(btrim(contact_time)) IN ('any', 'any time', 'anytime') THEN 'any'
        ELSE '' END
WHERE contact_time NOT IN ('', 'morning', 'afternoon', 'evening', 'any');

UPDATE clients SET language = CASE
        WHEN lower(split_part(replace(btrim(language), '_', '-'), '-', 1)) IN ('en', 'pl', 'uk', 'ar', 'ur', 'gd')
            THEN lower(split_part(replace(btrim(language), '_', '-'), '-', 1))
        ELSE 'en' END
WHERE language NOT IN ('en', 'pl', 'uk', 'ar', 'ur', 'gd');
