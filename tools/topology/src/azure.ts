// npm run topology:azure -- [--apply] [--shop <id>] [--emulator-config <file>]: provisions Service Bus from the shop's catalogue.
import { shopCatalogue } from '@stitch/contracts';
import { runTopologyTool } from '@stitch/messaging-azure-service-bus';

void runTopologyTool(shopCatalogue).then((code) => {
  process.exitCode = code;
});
