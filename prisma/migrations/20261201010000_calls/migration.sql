-- Voice and video calls (docs/protocol.md §4.12). A call's state lives here, not in an instance's memory:
-- its participants may be on different instances, and any instance may time it out or end it.
CREATE TABLE "calls" (
  "id"          UUID NOT NULL,
  "room_id"     VARCHAR(16) NOT NULL,
  "caller_id"   UUID NOT NULL,
  "kind"        TEXT NOT NULL,
  "state"       TEXT NOT NULL DEFAULT 'ringing',
  "created_at"  TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "ring_until"  TIMESTAMPTZ(3) NOT NULL,
  "answered_at" TIMESTAMPTZ(3),
  "ended_at"    TIMESTAMPTZ(3),
  "end_reason"  TEXT,
  -- The entry it left in the conversation (messages.seq), once written.
  "entry_seq"   INTEGER,
  CONSTRAINT "calls_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "calls_room_id_fkey" FOREIGN KEY ("room_id") REFERENCES "rooms"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "calls_caller_id_fkey" FOREIGN KEY ("caller_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "calls_kind" CHECK ("kind" IN ('audio', 'video')),
  CONSTRAINT "calls_state" CHECK ("state" IN ('ringing', 'active', 'ended')),
  CONSTRAINT "calls_end_reason" CHECK ("end_reason" IN ('completed', 'cancelled', 'declined', 'missed', 'busy', 'unavailable')),
  CONSTRAINT "calls_ended" CHECK (("state" = 'ended') = ("ended_at" IS NOT NULL AND "end_reason" IS NOT NULL))
);

-- One live call per room: two people calling each other at once (glare) meet in one call.
CREATE UNIQUE INDEX "calls_one_live_per_room" ON "calls" ("room_id") WHERE "state" <> 'ended';
-- The sweeper's work: live calls (ring deadlines) and ended calls whose entry is not written yet.
CREATE INDEX "calls_live_idx" ON "calls" ("ring_until") WHERE "state" <> 'ended';
CREATE INDEX "calls_entry_pending_idx" ON "calls" ("ended_at") WHERE "state" = 'ended' AND "entry_seq" IS NULL;

CREATE TABLE "call_participants" (
  "call_id"         UUID NOT NULL,
  "user_id"         UUID NOT NULL,
  "position"        SMALLINT NOT NULL,
  "state"           TEXT NOT NULL,
  -- The main-namespace socket (one tab) that holds the participant while joined: signals go there.
  "socket_id"       TEXT,
  "joined_at"       TIMESTAMPTZ(3),
  "left_at"         TIMESTAMPTZ(3),
  -- Last heartbeat from the instance that has the socket (an instance that died stops beating).
  "seen_at"         TIMESTAMPTZ(3),
  -- The holding socket disconnected: a new one of the same user may resume until the grace ends.
  "disconnected_at" TIMESTAMPTZ(3),
  -- Until when they may resume: the grace of the instance that saw the socket go, fixed then.
  "reconnect_until" TIMESTAMPTZ(3),
  "media"           JSONB NOT NULL DEFAULT '{"audio":false,"video":false,"screen":false}',
  CONSTRAINT "call_participants_pkey" PRIMARY KEY ("call_id", "user_id"),
  CONSTRAINT "call_participants_call_id_fkey" FOREIGN KEY ("call_id") REFERENCES "calls"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "call_participants_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "call_participants_state" CHECK ("state" IN ('invited', 'joined', 'declined', 'missed', 'busy', 'left')),
  CONSTRAINT "call_participants_joined_socket" CHECK (("state" = 'joined') = ("socket_id" IS NOT NULL))
);

-- Busy, atomically: a user is joined to one call at a time, whichever instances race to join them.
CREATE UNIQUE INDEX "call_participants_one_joined" ON "call_participants" ("user_id") WHERE "state" = 'joined';
CREATE INDEX "call_participants_user_idx" ON "call_participants" ("user_id");

-- A call's entry in its conversation (lib/schemas/call.ts CallEntry); null for every other message.
ALTER TABLE "messages" ADD COLUMN "call" JSONB;

-- A call entry has no body.
ALTER TABLE "messages" DROP CONSTRAINT "messages_body_length";
ALTER TABLE "messages" ADD CONSTRAINT "messages_body_length"
  CHECK (char_length("body") BETWEEN 1 AND 2000
         OR ("body" = '' AND ("deleted_at" IS NOT NULL OR "attachments" <> '[]'::jsonb OR "call" IS NOT NULL)));
