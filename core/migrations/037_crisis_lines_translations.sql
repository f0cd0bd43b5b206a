-- The network's crisis lines in the other languages clients may choose,
-- by language code ({"pl": "Jeśli grozi Ci niebezpieczeństwo, dzwoń pod
-- 999. ..."}), as its network file gives them (core checks the codes and
-- the words). A language without them is given the fixed crisis
-- sentences in its own words and those of crisis_lines, the English,
-- that give another number (core.Network.CrisisLinesIn).
ALTER TABLE network_settings
    ADD COLUMN crisis_lines_translations jsonb NOT NULL DEFAULT '{}'
        CHECK (jsonb_typeof(crisis_lines_translations) = 'object');
