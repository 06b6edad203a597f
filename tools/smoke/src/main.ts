// `npm run smoke -- --url <storefront url> [--timeout <seconds>]`: one sign-up and one checkout against any running
// deployment. From the repository root: node --require @swc-node/register tools/smoke/src/main.ts --url http://127.0.0.1:3000
import { runSmokeProgram } from './program';

void runSmokeProgram(process.argv.slice(2), {
  fetch,
  print: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`smoke: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
