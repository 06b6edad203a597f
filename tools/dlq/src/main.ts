// `npm run dlq -- list|show|replay|purge`: the shop's dead letters on the configured transport. From the repository root:
//   node --require @swc-node/register tools/dlq/src/main.ts list [--source <queue> | --subscription <service>] [--json]
import { shopCatalogue } from '@stitch/contracts';
import { runDlq } from './program';
import { openShopTransport } from './shop-transport';

void runDlq(process.argv.slice(2), {
  catalogue: shopCatalogue,
  open: openShopTransport,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
}).then((code) => {
  process.exitCode = code;
});
