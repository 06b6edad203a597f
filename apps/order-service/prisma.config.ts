// Prisma CLI config of the order service. Only `generate` goes through the CLI; migrations are applied at start
// and created by @stitch/persistence's wasm-engine helpers (tools/prisma/migrate.ts).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema',
  migrations: { path: 'prisma/migrations' },
});
