-- AlterTable
ALTER TABLE "idempotency_key" ADD COLUMN     "correlation_id" TEXT;

-- CreateIndex
CREATE INDEX "idempotency_key_customer_id_created_at_idx" ON "idempotency_key"("customer_id", "created_at");
