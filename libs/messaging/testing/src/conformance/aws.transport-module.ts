import type { Topology } from '@stitch/messaging-catalogue';
import { AwsTransport, createAwsClients } from '@stitch/messaging-aws';

export interface AwsConformanceParams {
  /** Unset on AWS itself. */
  readonly endpoint?: string;
  readonly region: string;
  readonly prefix: string;
}

/** Loaded by the suite and by every consumer process; credentials come from the default chain of each. */
export function createTransport(topology: Topology, params: unknown) {
  const { endpoint, region, prefix } = params as AwsConformanceParams;
  return new AwsTransport({ topology, clients: createAwsClients({ region, ...(endpoint ? { endpoint } : {}) }), prefix });
}
