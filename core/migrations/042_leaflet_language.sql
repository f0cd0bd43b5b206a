-- The language a leaflet's link opens the form in (`onward leaflet new
-- --lang pl`), kept with the leaflet: the printed link carries ?lang=pl,
-- but a link typed by hand from the paper (/r/{code}) and the link
-- `onward leaflet list` prints for a reprint did not. '' for the reader's
-- browser's language.
ALTER TABLE leaflets ADD COLUMN language text NOT NULL DEFAULT '';
