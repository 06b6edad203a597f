// npm run topology:azure -- [--apply] [--emulator-config <file>]: provisions Service Bus from the message catalogue.
import { connectToNamespace } from './connect';
import { runTopologyCommand } from './topology-command';

const line = (write: (text: string) => void) => ({ line: write });

void runTopologyCommand(process.argv.slice(2), process.env, line(console.log), line(console.error), connectToNamespace).then((code) => {
  process.exitCode = code;
});
