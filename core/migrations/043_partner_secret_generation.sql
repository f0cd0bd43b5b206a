-- Which secret of a partner system is current (`onward partner
-- rotate-secret`): 0 for the one `onward partner add` gave, one more for
-- each new one. Tokens carry the generation they were issued under, so a
-- token got with a replaced (perhaps leaked) secret stops working at once.
ALTER TABLE partners ADD COLUMN secret_generation integer NOT NULL DEFAULT 0;
