-- The network's opening hours in the other languages clients may choose,
-- by language code ({"pl": "od poniedziałku do piątku, 9:00–17:00"}), as
-- its network file gives them (core checks the codes and the words). A
-- language without one is shown opening_hours, the English.
ALTER TABLE network_settings
    ADD COLUMN opening_hours_translations jsonb NOT NULL DEFAULT '{}'
        CHECK (jsonb_typeof(opening_hours_translations) = 'object');
