-- CreateTable
CREATE TABLE "note" (
    "id" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "note_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stitch_outbox" (
    "id" BIGSERIAL NOT NULL,
    "destination_kind" TEXT NOT NULL,
    "destination_name" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "correlation_id" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "headers" JSONB,
    "not_before" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stitch_outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stitch_inbox" (
    "message_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "handled_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stitch_inbox_pkey" PRIMARY KEY ("message_id")
);

-- CreateIndex
CREATE INDEX "stitch_inbox_handled_at_idx" ON "stitch_inbox"("handled_at");
