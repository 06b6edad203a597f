// npm run topology:azure -- [--apply] [--shop <id>] [--emulator-config <file>]: provisions Service Bus from the message catalogue.
import { connectToMarker, connectToNamespace } from './connect';
import { runTopologyCommand } from './topology-command';

const line = (write: (text: string) => void) => ({ line: write });

void runTopologyCommand(process.argv.slice(2), process.env, line(console.log), line(console.error), connectToNamespace, connectToMarker).then((code) => {
  process.exitCode = code;
});
