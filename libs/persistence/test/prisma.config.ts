// Prisma CLI config of the tests' stand-in service, laid out as a service's would be. Only `generate` goes
// through the CLI; migrations are applied and created by @stitch/persistence's wasm-engine helpers.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema',
  migrations: { path: 'prisma/migrations' },
});
