-- AlterTable
ALTER TABLE "memberships" ADD COLUMN     "last_delivered_seq" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "rooms" ADD COLUMN     "direct_key" VARCHAR(80);

-- CreateIndex
CREATE UNIQUE INDEX "rooms_direct_key_key" ON "rooms"("direct_key");


-- AddCheckConstraint (hand-written; Prisma's schema language cannot express CHECK constraints)
-- A direct room is identified by its pair of members, and only direct rooms are.
ALTER TABLE "rooms" ADD CONSTRAINT "rooms_direct_key_iff_direct" CHECK (("kind" = 'direct') = ("direct_key" IS NOT NULL));
