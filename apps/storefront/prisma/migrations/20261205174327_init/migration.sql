-- CreateTable
CREATE TABLE "idempotency_key" (
    "order_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "request_hash" TEXT NOT NULL,
    "response_status" INTEGER NOT NULL,
    "response_body" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_key_pkey" PRIMARY KEY ("order_id")
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
CREATE INDEX "idempotency_key_created_at_idx" ON "idempotency_key"("created_at");

-- CreateIndex
CREATE INDEX "stitch_inbox_handled_at_idx" ON "stitch_inbox"("handled_at");
