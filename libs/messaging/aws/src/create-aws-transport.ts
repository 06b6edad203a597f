import type { Topology } from '@stitch/messaging-catalogue';
import { AwsTransport } from './aws-transport';
import type { AwsConfig } from './aws.config';
import { createAwsClients } from './clients';

/** The composition root's one call: SDK clients from validated config, handed to the transport that owns them. */
export function createAwsTransport(options: {
  readonly topology: Topology;
  readonly config: AwsConfig;
  readonly service?: string;
  /** How long start() waits for AWS (default 30 s). */
  readonly startTimeoutMs?: number;
  /** The shop this service belongs to: start() refuses a topology tagged for another (see AwsTransportOptions). */
  readonly shopId?: string;
  /** A tool working on the topology (the dead-letter desk), not a service: its calls are not recorded in the call log. */
  readonly tool?: boolean;
}): AwsTransport {
  const { topology, config, service, startTimeoutMs, shopId, tool } = options;
  // Only a service's calls are recorded: they are what its task role is checked against.
  const callLog = config.callLog && service && !tool ? { directory: config.callLog, service } : undefined;
  const clients = createAwsClients({
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.region ? { region: config.region } : {}),
    ...(callLog ? { callLog } : {}),
  });
  return new AwsTransport({
    topology,
    clients,
    prefix: config.prefix,
    ...(service ? { service } : {}),
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.region ? { region: config.region } : {}),
    ...(startTimeoutMs ? { startTimeoutMs } : {}),
    ...(shopId ? { shopId } : {}),
  });
}
