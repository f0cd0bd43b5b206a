-- When a text was marked "sending" (issue 18, item 7). A worker that
-- finds a text still "sending" with no provider id asks Twilio whether it
-- took the text; sending_at bounds that question to the messages Twilio
-- created since the mark, so an older text to the same number is not
-- mistaken for this one. NULL on rows marked before this migration (the
-- worker then bounds the question by the row's created_at).
ALTER TABLE outbox ADD COLUMN sending_at timestamptz;
