-- Files and images (issue 12). An attachment row exists from the moment an upload starts ('uploading',
-- its size a reservation against the uploader's quota) until its message, room or uploader is deleted.
-- Bytes live in the storage backend (lib/storage); rows never hold them.
CREATE TABLE "attachments" (
  "id"            UUID NOT NULL,
  "room_id"       VARCHAR(16) NOT NULL,
  "uploader_id"   UUID NOT NULL,
  -- Set once, when a message takes the upload (lib/data/messages.ts); NULL while it waits in a composer.
  "message_id"    BIGINT,
  "position"      SMALLINT,
  "status"        VARCHAR(16) NOT NULL DEFAULT 'uploading',
  "storage_key"   VARCHAR(200) NOT NULL,
  "thumbnail_key" VARCHAR(200),
  "name"          VARCHAR(255) NOT NULL,
  "size"          BIGINT NOT NULL,
  "content_type"  VARCHAR(127) NOT NULL DEFAULT 'application/octet-stream',
  "kind"          VARCHAR(8) NOT NULL DEFAULT 'file',
  "width"         INTEGER,
  "height"        INTEGER,
  "thumb_width"   INTEGER,
  "thumb_height"  INTEGER,
  "duration_ms"   INTEGER,
  "waveform"      SMALLINT[],
  "voice"         BOOLEAN NOT NULL DEFAULT false,
  "sha256"        CHAR(64),
  "created_at"    TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "attachments_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "attachments_status" CHECK ("status" IN ('uploading', 'ready')),
  CONSTRAINT "attachments_kind" CHECK ("kind" IN ('image', 'video', 'audio', 'file')),
  CONSTRAINT "attachments_size" CHECK ("size" >= 0),
  CONSTRAINT "attachments_attached_ready" CHECK ("message_id" IS NULL OR "status" = 'ready')
);

ALTER TABLE "attachments" ADD CONSTRAINT "attachments_room_id_fkey"
  FOREIGN KEY ("room_id") REFERENCES "rooms"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_uploader_id_fkey"
  FOREIGN KEY ("uploader_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_message_id_fkey"
  FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE UNIQUE INDEX "attachments_storage_key_key" ON "attachments"("storage_key");
-- A message's files in order.
CREATE INDEX "attachments_message_id_position_idx" ON "attachments"("message_id", "position");
-- The room's Files view, newest first (ids are UUIDv7: time-ordered).
CREATE INDEX "attachments_room_files_idx" ON "attachments"("room_id", "id" DESC) WHERE "message_id" IS NOT NULL;
-- The uploader's quota (a sum over their rows).
CREATE INDEX "attachments_uploader_id_idx" ON "attachments"("uploader_id");
-- Garbage collection of uploads nobody attached.
CREATE INDEX "attachments_unattached_idx" ON "attachments"("created_at") WHERE "message_id" IS NULL;

-- Objects to remove from storage. Deleting an attachment row — directly, or by cascade from its message,
-- room or uploader — queues its objects here in the same transaction, so no path that deletes rows can
-- forget the bytes; lib/files/garbage.ts removes the objects and then these rows.
CREATE TABLE "storage_garbage" (
  "key"        VARCHAR(200) NOT NULL,
  "queued_at"  TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "storage_garbage_pkey" PRIMARY KEY ("key")
);

CREATE FUNCTION parley_queue_attachment_garbage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO storage_garbage (key) VALUES (OLD.storage_key) ON CONFLICT DO NOTHING;
  IF OLD.thumbnail_key IS NOT NULL THEN
    INSERT INTO storage_garbage (key) VALUES (OLD.thumbnail_key) ON CONFLICT DO NOTHING;
  END IF;
  RETURN OLD;
END $$;

CREATE TRIGGER "attachments_queue_garbage" AFTER DELETE ON "attachments"
  FOR EACH ROW EXECUTE FUNCTION parley_queue_attachment_garbage();

-- The message's files as clients see them (lib/schemas/attachment.ts), written once with the message:
-- history and replay read them without a join. A tombstone's is '[]'.
ALTER TABLE "messages" ADD COLUMN "attachments" JSONB NOT NULL DEFAULT '[]';

-- A message may be only files: the caption (body) may then be empty.
ALTER TABLE "messages" DROP CONSTRAINT "messages_body_length";
ALTER TABLE "messages" ADD CONSTRAINT "messages_body_length"
  CHECK (char_length("body") BETWEEN 1 AND 2000
         OR ("body" = '' AND ("deleted_at" IS NOT NULL OR "attachments" <> '[]'::jsonb)));

-- has:file / has:image in search.
CREATE INDEX "messages_files_idx" ON "messages" ("room_id", "id") WHERE "attachments" <> '[]'::jsonb;
