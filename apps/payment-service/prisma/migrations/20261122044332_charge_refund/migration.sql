-- AlterTable
ALTER TABLE "charge" ADD COLUMN     "provider_refund_id" TEXT,
ADD COLUMN     "refund_reason" TEXT,
ADD COLUMN     "refunded_at" TIMESTAMPTZ(3);

-- Prisma's schema cannot state it: only a charge that took money is refunded, and a refund names the provider's.
ALTER TABLE "charge" ADD CONSTRAINT "charge_refund_of_a_success" CHECK ("refunded_at" IS NULL OR ("status" = 'succeeded' AND "provider_refund_id" IS NOT NULL));
