-- DropIndex
DROP INDEX "order_user_id_idx";

-- AlterTable
ALTER TABLE "order" ADD COLUMN     "correlation_id" TEXT;

-- CreateIndex
CREATE INDEX "order_user_id_created_at_idx" ON "order"("user_id", "created_at");
