import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeTransportConformance } from '../conformance-suite';

const folder = mkdtempSync(path.join(tmpdir(), 'stitch-conformance-'));

describeTransportConformance({
  name: 'local',
  transportModule: path.join(__dirname, 'local.transport-module.ts'),
  isolate: async (testName) => ({ file: path.join(folder, testName, 'bus.db') }),
  cleanup: async () => rmSync(folder, { recursive: true, force: true }),
});
