-- CreateEnum
CREATE TYPE "mail_delivery" AS ENUM ('file', 'smtp');

-- CreateTable
CREATE TABLE "sent_mail" (
    "id" TEXT NOT NULL,
    "to" TEXT NOT NULL,
    "template" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "message_id_header" TEXT NOT NULL,
    "delivery" "mail_delivery" NOT NULL,
    "sent_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sent_mail_pkey" PRIMARY KEY ("id")
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
