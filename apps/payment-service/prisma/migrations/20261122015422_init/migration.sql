-- CreateEnum
CREATE TYPE "charge_status" AS ENUM ('succeeded', 'declined');

-- CreateEnum
CREATE TYPE "currency" AS ENUM ('EUR', 'USD', 'GBP');

-- CreateTable
CREATE TABLE "charge" (
    "id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "amount_cents" INTEGER NOT NULL,
    "currency" "currency" NOT NULL,
    "status" "charge_status" NOT NULL,
    "decline_reason" TEXT,
    "last4" CHAR(4) NOT NULL,
    "provider_charge_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "charge_pkey" PRIMARY KEY ("id")
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
CREATE UNIQUE INDEX "charge_order_id_key" ON "charge"("order_id");

-- CreateIndex
CREATE INDEX "stitch_inbox_handled_at_idx" ON "stitch_inbox"("handled_at");

-- Prisma's schema cannot state these: a charge is for something, and no more of a card than its last four digits is stored.
ALTER TABLE "charge" ADD CONSTRAINT "charge_amount_cents_positive" CHECK ("amount_cents" > 0);
ALTER TABLE "charge" ADD CONSTRAINT "charge_last4_is_four_digits" CHECK ("last4" ~ '^[0-9]{4}$');
