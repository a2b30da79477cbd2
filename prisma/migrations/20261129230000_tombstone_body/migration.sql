-- A deleted message is a tombstone whose body is really gone (''): the body rule of 20261121103845 refused
-- that, so every message:delete failed. Empty only for a tombstone; otherwise 1–2000 characters as before.
ALTER TABLE "messages" DROP CONSTRAINT "messages_body_length";
ALTER TABLE "messages" ADD CONSTRAINT "messages_body_length"
  CHECK (char_length("body") BETWEEN 1 AND 2000 OR ("deleted_at" IS NOT NULL AND "body" = ''));
