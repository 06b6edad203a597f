// The database-roles job's command, in a data-owning service's image: node /app/libs/persistence/src/postgres/roles/main.js
// (settings: database-roles-settings.ts). Exits non-zero with one line on stderr when the roles were not applied.
import { runDatabaseRoles } from './run-database-roles';

runDatabaseRoles(process.env).catch((error: unknown) => {
  console.error(`database roles not applied: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
