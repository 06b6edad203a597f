import type { Topology } from '@stitch/messaging-catalogue';
import type { Transport } from '@stitch/messaging-core';

/** How the conformance suite reaches one transport, in the test process and in every consumer process. */
export interface ConformanceFixture {
  readonly name: string;
  /** Set when the broker cannot be reached here; the suite then skips, printing this as its one line. */
  readonly skipReason?: string;
  /** Absolute path of a module exporting `createTransport: TransportModuleFactory`; consumer processes load it. */
  readonly transportModule: string;
  /** Fresh, isolated broker state for one test (a new file, a name prefix); must survive JSON. */
  isolate(testName: string): Promise<unknown>;
  cleanup?(): Promise<void>;
}

export type TransportModuleFactory = (topology: Topology, params: unknown) => Transport;
