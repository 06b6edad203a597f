import type { Topology } from '@stitch/messaging-catalogue';
import { createLocalTransport } from '@stitch/messaging-local';

/** Loaded by the suite and by every consumer process: all of them share one file. */
export function createTransport(topology: Topology, params: unknown) {
  const { file } = params as { file: string };
  return createLocalTransport({ topology, file });
}
