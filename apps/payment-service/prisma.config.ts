// Prisma CLI config: only `generate` goes through the CLI; migrations are created and applied by
// @stitch/persistence's wasm-engine helpers (tools/prisma/migrate.ts, and the service at start).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema',
  migrations: { path: 'prisma/migrations' },
});
