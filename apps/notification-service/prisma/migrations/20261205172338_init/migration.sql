-- CreateTable
CREATE TABLE "notification" (
    "seq" BIGSERIAL NOT NULL,
    "message_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "order_id" TEXT,
    "order_version" INTEGER,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notification_pkey" PRIMARY KEY ("seq")
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
CREATE UNIQUE INDEX "notification_message_id_key" ON "notification"("message_id");

-- CreateIndex
CREATE INDEX "notification_order_id_order_version_idx" ON "notification"("order_id", "order_version");

-- CreateIndex
CREATE INDEX "notification_created_at_idx" ON "notification"("created_at");

-- CreateIndex
CREATE INDEX "stitch_inbox_handled_at_idx" ON "stitch_inbox"("handled_at");
