-- CreateEnum
CREATE TYPE "room_kind" AS ENUM ('public', 'private', 'direct');

-- CreateEnum
CREATE TYPE "member_role" AS ENUM ('owner', 'member');

-- CreateTable
CREATE TABLE "rooms" (
    "id" VARCHAR(16) NOT NULL,
    "name" VARCHAR(64) NOT NULL,
    "name_key" VARCHAR(64),
    "description" VARCHAR(500) NOT NULL DEFAULT '',
    "kind" "room_kind" NOT NULL,
    "password_hash" VARCHAR(100),
    "owner_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seq" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "rooms_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "memberships" (
    "room_id" VARCHAR(16) NOT NULL,
    "user_id" UUID NOT NULL,
    "role" "member_role" NOT NULL DEFAULT 'member',
    "joined_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_read_seq" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "memberships_pkey" PRIMARY KEY ("room_id","user_id")
);

-- CreateTable
CREATE TABLE "messages" (
    "id" BIGSERIAL NOT NULL,
    "room_id" VARCHAR(16) NOT NULL,
    "seq" INTEGER NOT NULL,
    "author_id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "body" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "edited_at" TIMESTAMPTZ(3),
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "messages_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "rooms_name_key_key" ON "rooms"("name_key");

-- CreateIndex
CREATE INDEX "rooms_kind_created_at_idx" ON "rooms"("kind", "created_at");

-- CreateIndex
CREATE INDEX "memberships_user_id_idx" ON "memberships"("user_id");

-- CreateIndex
CREATE INDEX "messages_room_id_author_id_seq_idx" ON "messages"("room_id", "author_id", "seq");

-- CreateIndex
CREATE INDEX "messages_room_id_created_at_idx" ON "messages"("room_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "messages_room_id_seq_key" ON "messages"("room_id", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "messages_room_id_author_id_client_id_key" ON "messages"("room_id", "author_id", "client_id");

-- AddForeignKey
ALTER TABLE "rooms" ADD CONSTRAINT "rooms_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_room_id_fkey" FOREIGN KEY ("room_id") REFERENCES "rooms"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_room_id_fkey" FOREIGN KEY ("room_id") REFERENCES "rooms"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddCheckConstraint (hand-written; Prisma's schema language cannot express CHECK constraints)
-- The same limits as lib/schemas/message.ts, so no other writer can store what the app would refuse.
ALTER TABLE "messages" ADD CONSTRAINT "messages_body_length" CHECK (char_length("body") BETWEEN 1 AND 2000);
-- A private room always has a password; other kinds never do.
ALTER TABLE "rooms" ADD CONSTRAINT "rooms_password_iff_private" CHECK (("kind" = 'private') = ("password_hash" IS NOT NULL));
