-- AlterTable
ALTER TABLE "rooms" ADD COLUMN     "member_count" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "rooms_member_count_name_key_idx" ON "rooms"("member_count" DESC, "name_key");


-- Hand-written (Prisma's schema language cannot express triggers).
-- The room directory is ordered by member count; counting every room's memberships on each page cost
-- ~86 ms with 5,000 rooms and 200,000 memberships. The count is kept on the room instead, by the
-- database itself, so every path that adds or removes members (joins, leaves, deletes cascading from
-- users or rooms, bulk inserts) keeps it exact. Statement-level, so a bulk insert updates each room once.
CREATE FUNCTION "rooms_count_members"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE "rooms" r SET "member_count" = r."member_count" + c.n
    FROM (SELECT "room_id", count(*)::int AS n FROM inserted GROUP BY "room_id") c
    WHERE r."id" = c."room_id";
  ELSE
    UPDATE "rooms" r SET "member_count" = r."member_count" - c.n
    FROM (SELECT "room_id", count(*)::int AS n FROM deleted GROUP BY "room_id") c
    WHERE r."id" = c."room_id";
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "memberships_count_inserted" AFTER INSERT ON "memberships"
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION "rooms_count_members"();
CREATE TRIGGER "memberships_count_deleted" AFTER DELETE ON "memberships"
  REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION "rooms_count_members"();

-- Existing rooms (this migration runs in one transaction: no membership changes in between).
UPDATE "rooms" r SET "member_count" = c.n
FROM (SELECT "room_id", count(*)::int AS n FROM "memberships" GROUP BY "room_id") c
WHERE r."id" = c."room_id";
