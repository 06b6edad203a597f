import type { Topology } from '@stitch/contracts';
import { AwsTransport } from './aws-transport';
import type { AwsConfig } from './aws.config';
import { createAwsClients } from './clients';

/** The composition root's one call: SDK clients from validated config, handed to the transport that owns them. */
export function createAwsTransport(options: { readonly topology: Topology; readonly config: AwsConfig; readonly service?: string }): AwsTransport {
  const { topology, config, service } = options;
  const clients = createAwsClients({
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.region ? { region: config.region } : {}),
  });
  return new AwsTransport({ topology, clients, prefix: config.prefix, ...(service ? { service } : {}) });
}
