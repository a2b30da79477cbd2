-- Rate-limit counters move to rate-limiter-flexible's PostgreSQL store, whose consume is one atomic
-- INSERT ... ON CONFLICT statement (the Prisma store let parallel first attempts past the limit).
-- The old counters are short-lived (15 min to 1 h windows); dropping them forgives at most one window.
DROP TABLE "rate_limits";

CREATE TABLE "rate_limit_counters" (
    "key" VARCHAR(255) NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "rate_limit_counters_pkey" PRIMARY KEY ("key")
);

CREATE INDEX "rate_limit_counters_expire_idx" ON "rate_limit_counters"("expire");
