-- A version of each room's member list (who, with which role and mute, under which name and avatar), kept by the
-- database itself like member_count, so every path that changes it — joins, leaves, removals, role and mute
-- changes, a member renaming themselves, deletes cascading from users — moves it, whichever instance or script
-- does it. Servers cache a large room's list under it; a client that already holds the list at this version is
-- not sent it again (room:load, docs/protocol.md §5.1).
ALTER TABLE "rooms" ADD COLUMN "members_rev" INTEGER NOT NULL DEFAULT 0;

-- Joins and leaves: the trigger function that counts members moves the version in the same UPDATE.
CREATE OR REPLACE FUNCTION "rooms_count_members"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE "rooms" r SET "member_count" = r."member_count" + c.n, "members_rev" = r."members_rev" + 1
    FROM (SELECT "room_id", count(*)::int AS n FROM inserted GROUP BY "room_id") c
    WHERE r."id" = c."room_id";
  ELSE
    UPDATE "rooms" r SET "member_count" = r."member_count" - c.n, "members_rev" = r."members_rev" + 1
    FROM (SELECT "room_id", count(*)::int AS n FROM deleted GROUP BY "room_id") c
    WHERE r."id" = c."room_id";
  END IF;
  RETURN NULL;
END
$$;

-- A member's role or mute. Row-level (PostgreSQL allows no transition tables with a column list), and only
-- for those two columns: read and delivery positions, by far the most frequent membership writes, do not fire it.
CREATE FUNCTION "rooms_membership_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "rooms" SET "members_rev" = "members_rev" + 1 WHERE "id" = NEW."room_id";
  RETURN NULL;
END
$$;
CREATE TRIGGER "memberships_rev_updated" AFTER UPDATE OF "role", "muted_until" ON "memberships"
  FOR EACH ROW WHEN (OLD."role" IS DISTINCT FROM NEW."role" OR OLD."muted_until" IS DISTINCT FROM NEW."muted_until")
  EXECUTE FUNCTION "rooms_membership_changed"();

-- A member's public face (username, display name, avatar) shows in every member list of theirs. The rooms are
-- locked in id order first, so two people renaming themselves at once cannot deadlock on rooms they share.
CREATE FUNCTION "rooms_member_renamed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM "rooms" WHERE "id" IN (SELECT "room_id" FROM "memberships" WHERE "user_id" = NEW."id") ORDER BY "id" FOR UPDATE;
  UPDATE "rooms" SET "members_rev" = "members_rev" + 1
  WHERE "id" IN (SELECT "room_id" FROM "memberships" WHERE "user_id" = NEW."id");
  RETURN NULL;
END
$$;
CREATE TRIGGER "users_rev_renamed" AFTER UPDATE OF "username", "display_name", "avatar" ON "users"
  FOR EACH ROW WHEN (OLD."username" IS DISTINCT FROM NEW."username" OR OLD."display_name" IS DISTINCT FROM NEW."display_name" OR OLD."avatar" IS DISTINCT FROM NEW."avatar")
  EXECUTE FUNCTION "rooms_member_renamed"();
