-- Message search (issue 11): full-text and substring indexes kept by PostgreSQL itself, so every write path
-- (sends, edits, deletes, imports) and every instance sees the same index without a second store.
-- Both extensions are "trusted": a database owner without superuser may create them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- Case- and accent-folded text for substring search. unaccent() is only STABLE because it looks its
-- dictionary up by name; naming the dictionary and schema outright makes the result depend on the
-- argument alone, which an index expression needs.
CREATE FUNCTION parley_fold(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN lower(public.unaccent('public.unaccent'::regdictionary, $1));

-- English word forms ("deploying" ~ "deploy") after accents are folded ("Café" ~ "cafe"). Words in other
-- scripts pass through the English stemmer unchanged; text without spaces (CJK) is found by substring.
CREATE TEXT SEARCH CONFIGURATION parley_search (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION parley_search
  ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
  WITH public.unaccent, pg_catalog.english_stem;

ALTER TABLE "messages" ADD COLUMN "search_vector" tsvector
  GENERATED ALWAYS AS (to_tsvector('public.parley_search'::regconfig, "body")) STORED;

CREATE INDEX "messages_search_vector_idx" ON "messages" USING gin ("search_vector");
CREATE INDEX "messages_body_trgm_idx" ON "messages" USING gin (parley_fold("body") gin_trgm_ops);

-- has:link: messages with a link are few, and finding them by testing every message of 200 rooms is slow.
CREATE INDEX "messages_links_idx" ON "messages" ("room_id", "id") WHERE "body" ~* 'https?://';
