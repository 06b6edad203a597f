// Prisma CLI config: only `generate` goes through the CLI; migrations are applied and created by
// @stitch/persistence's wasm-engine helpers (tools/prisma/migrate.ts).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema',
  migrations: { path: 'prisma/migrations' },
});
