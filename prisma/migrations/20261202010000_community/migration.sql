-- Running a community (docs/protocol.md §4.13–§4.15): room roles and moderation, room settings and
-- archiving, invitations, group conversations, accounts (avatars, deletion) and instance administration.

-- Roles, highest first: owner > admin > moderator > member. (Not used in this migration: a value added
-- by ALTER TYPE cannot be used in the transaction that adds it.)
ALTER TYPE "member_role" ADD VALUE IF NOT EXISTS 'admin' BEFORE 'member';
ALTER TYPE "member_role" ADD VALUE IF NOT EXISTS 'moderator' BEFORE 'member';
-- A group conversation: 3 to 9 people, no name, no owner powers, private to its members.
ALTER TYPE "room_kind" ADD VALUE IF NOT EXISTS 'group';

-- A short line shown under the room's name; archived rooms are read-only (kept, restorable).
ALTER TABLE "rooms" ADD COLUMN "topic" VARCHAR(250) NOT NULL DEFAULT '';
ALTER TABLE "rooms" ADD COLUMN "archived_at" TIMESTAMPTZ(3);
-- A private room may have no password now: it is then entered by invitation only. Only private rooms have one.
ALTER TABLE "rooms" DROP CONSTRAINT "rooms_password_iff_private";
ALTER TABLE "rooms" ADD CONSTRAINT "rooms_password_only_private" CHECK ("password_hash" IS NULL OR "kind" = 'private');

-- A muted member reads but cannot post until then.
ALTER TABLE "memberships" ADD COLUMN "muted_until" TIMESTAMPTZ(3);

-- Who may not (re)join a room, by any path, until unbanned.
CREATE TABLE "room_bans" (
  "room_id"    VARCHAR(16) NOT NULL,
  "user_id"    UUID NOT NULL,
  "banned_by"  UUID,
  "reason"     VARCHAR(500) NOT NULL DEFAULT '',
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  CONSTRAINT "room_bans_pkey" PRIMARY KEY ("room_id", "user_id"),
  CONSTRAINT "room_bans_room_id_fkey" FOREIGN KEY ("room_id") REFERENCES "rooms"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "room_bans_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "room_bans_banned_by_fkey" FOREIGN KEY ("banned_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- Invitation links: into a room (room_id set) or, when registration is invite-only, to sign up (room_id
-- NULL). Only the token's SHA-256 is kept: the link is shown once, to its creator.
CREATE TABLE "invites" (
  "id"         UUID NOT NULL,
  "token_hash" CHAR(64) NOT NULL,
  "room_id"    VARCHAR(16),
  "created_by" UUID,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "expires_at" TIMESTAMPTZ(3),
  "max_uses"   INTEGER,
  "uses"       INTEGER NOT NULL DEFAULT 0,
  "revoked_at" TIMESTAMPTZ(3),
  CONSTRAINT "invites_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "invites_room_id_fkey" FOREIGN KEY ("room_id") REFERENCES "rooms"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "invites_created_by_fkey" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE,
  CONSTRAINT "invites_max_uses" CHECK ("max_uses" IS NULL OR "max_uses" BETWEEN 1 AND 10000),
  CONSTRAINT "invites_uses" CHECK ("uses" >= 0 AND ("max_uses" IS NULL OR "uses" <= "max_uses"))
);
CREATE UNIQUE INDEX "invites_token_hash_key" ON "invites" ("token_hash");
CREATE INDEX "invites_room_id_created_at_idx" ON "invites" ("room_id", "created_at");

-- A room event's line in the conversation ("Alice renamed the room to …"; lib/schemas/room-event.ts
-- RoomEvent); null for every other message. Body '' then.
ALTER TABLE "messages" ADD COLUMN "event" JSONB;
ALTER TABLE "messages" DROP CONSTRAINT "messages_body_length";
ALTER TABLE "messages" ADD CONSTRAINT "messages_body_length"
  CHECK (char_length("body") BETWEEN 1 AND 2000
         OR ("body" = '' AND ("deleted_at" IS NOT NULL OR "attachments" <> '[]'::jsonb OR "call" IS NOT NULL OR "event" IS NOT NULL)));

-- Accounts: instance administrators, an uploaded avatar (its version; the picture is in file storage),
-- and deletion (the row stays, anonymised, so messages keep an author: docs/protocol.md §4.15).
ALTER TABLE "users" ADD COLUMN "is_admin" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "users" ADD COLUMN "avatar" VARCHAR(40);
ALTER TABLE "users" ADD COLUMN "deleted_at" TIMESTAMPTZ(3);

-- Instance-wide settings: one row.
CREATE TABLE "instance_settings" (
  "id"                SMALLINT NOT NULL DEFAULT 1,
  "registration_mode" VARCHAR(16) NOT NULL DEFAULT 'open',
  "updated_at"        TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  CONSTRAINT "instance_settings_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "instance_settings_one_row" CHECK ("id" = 1),
  CONSTRAINT "instance_settings_registration_mode" CHECK ("registration_mode" IN ('open', 'invite', 'closed'))
);
INSERT INTO "instance_settings" ("id") VALUES (1);

-- The audit log's admin view filters by kind and actor and pages by id.
CREATE INDEX "audit_events_created_at_idx" ON "audit_events" ("created_at");

-- An existing instance's first account becomes its administrator, as a new instance's would.
UPDATE "users" SET "is_admin" = true
WHERE "id" = (SELECT "id" FROM "users" ORDER BY "created_at", "id" LIMIT 1)
  AND NOT EXISTS (SELECT 1 FROM "users" WHERE "is_admin");
