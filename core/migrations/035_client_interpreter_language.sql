-- The language a client needs an interpreter for, apart from the language
-- Onward texts them in: a client whose language Onward has no words in
-- (Romanian, Tigrinya) is texted in English, and the agency is told which
-- interpreter to book. A BCP 47 tag ("ro", "ti"), checked by core; empty
-- when none was named (the interpreter is then for the client's language).
ALTER TABLE clients ADD COLUMN interpreter_language text NOT NULL DEFAULT ''
    CHECK (interpreter_language = '' OR interpreter_language ~ '^[a-z]{2,3}(-[A-Za-z0-9]+)*$');
