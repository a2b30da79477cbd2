-- AlterTable
ALTER TABLE "memberships" ADD COLUMN     "notify_level" VARCHAR(16);

-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "also_in_room" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "last_reply_at" TIMESTAMPTZ(3),
ADD COLUMN     "last_reply_seq" INTEGER,
ADD COLUMN     "mentions" UUID[] DEFAULT ARRAY[]::UUID[],
ADD COLUMN     "mentions_room" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "reactions" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "reply_count" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "reply_to_seq" INTEGER,
ADD COLUMN     "rev" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "thread_participants" UUID[] DEFAULT ARRAY[]::UUID[],
ADD COLUMN     "thread_root_seq" INTEGER;

-- AlterTable
ALTER TABLE "rooms" ADD COLUMN     "last_rev" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "room_mentions" VARCHAR(16) NOT NULL DEFAULT 'anyone';

-- CreateTable
CREATE TABLE "message_reactions" (
    "message_id" BIGINT NOT NULL,
    "emoji" VARCHAR(64) NOT NULL,
    "user_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "message_reactions_pkey" PRIMARY KEY ("message_id","emoji","user_id")
);

-- CreateTable
CREATE TABLE "message_edits" (
    "id" BIGSERIAL NOT NULL,
    "message_id" BIGINT NOT NULL,
    "client_id" UUID NOT NULL,
    "previous_body" TEXT NOT NULL,
    "edited_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "message_edits_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "thread_reads" (
    "room_id" VARCHAR(16) NOT NULL,
    "user_id" UUID NOT NULL,
    "root_seq" INTEGER NOT NULL,
    "last_read_seq" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "thread_reads_pkey" PRIMARY KEY ("room_id","user_id","root_seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "message_edits_message_id_client_id_key" ON "message_edits"("message_id", "client_id");

-- CreateIndex
CREATE INDEX "thread_reads_room_id_user_id_updated_at_idx" ON "thread_reads"("room_id", "user_id", "updated_at" DESC);

-- AddForeignKey
ALTER TABLE "message_reactions" ADD CONSTRAINT "message_reactions_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message_reactions" ADD CONSTRAINT "message_reactions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message_edits" ADD CONSTRAINT "message_edits_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "thread_reads" ADD CONSTRAINT "thread_reads_room_id_fkey" FOREIGN KEY ("room_id") REFERENCES "rooms"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "thread_reads" ADD CONSTRAINT "thread_reads_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Written by hand (Prisma's schema language cannot say these).

ALTER TABLE "rooms" ADD CONSTRAINT "rooms_room_mentions_check" CHECK ("room_mentions" IN ('anyone', 'owner'));
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_notify_level_check" CHECK ("notify_level" IN ('all', 'mentions', 'none'));
ALTER TABLE "message_reactions" ADD CONSTRAINT "message_reactions_emoji_check" CHECK (length("emoji") BETWEEN 1 AND 64);

-- Catch-up on changes: WHERE room_id = ? AND rev > ? ORDER BY rev. Never-changed messages (rev 0) stay out of it.
CREATE INDEX "messages_room_id_rev_idx" ON "messages" ("room_id", "rev") WHERE "rev" > 0;
-- A thread's replies, paged by seq.
CREATE INDEX "messages_thread_idx" ON "messages" ("room_id", "thread_root_seq", "seq") WHERE "thread_root_seq" IS NOT NULL;
-- Unread mentions: messages that mention anyone, in seq order per room.
CREATE INDEX "messages_mentioning_idx" ON "messages" ("room_id", "seq") WHERE "mentions_room" OR cardinality("mentions") > 0;

-- A thread read position belongs to a membership: leaving the room forgets it.
ALTER TABLE "thread_reads" ADD CONSTRAINT "thread_reads_membership_fkey" FOREIGN KEY ("room_id", "user_id")
  REFERENCES "memberships" ("room_id", "user_id") ON DELETE CASCADE;
