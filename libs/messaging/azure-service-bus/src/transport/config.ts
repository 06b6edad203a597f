import { registerAs, type ConfigType } from '@nestjs/config';
import { parseConfig } from '@stitch/messaging-core';
import { z } from 'zod';
import { STANDARD_MAX_MESSAGE_BYTES } from './mapping';
import type { ServiceBusTarget } from './startup-errors';

const schema = z
  .object({
    /** A namespace's (or the emulator's, with `UseDevelopmentEmulator=true`) connection string. A secret. */
    SERVICEBUS_CONNECTION_STRING: z.string().trim().min(1).optional(),
    /** `my-shop` or `my-shop.servicebus.windows.net`, reached with DefaultAzureCredential (managed identity in Azure). */
    SERVICEBUS_NAMESPACE: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, 'must be a namespace name or host name, e.g. my-shop.servicebus.windows.net')
      .optional(),
    /** 256 KB on Standard; raise it on Premium. */
    SERVICEBUS_MAX_MESSAGE_BYTES: z.coerce.number().int().min(1_024).default(STANDARD_MAX_MESSAGE_BYTES),
  })
  .refine((env) => (env.SERVICEBUS_CONNECTION_STRING === undefined) !== (env.SERVICEBUS_NAMESPACE === undefined), {
    message: 'set exactly one of SERVICEBUS_CONNECTION_STRING or SERVICEBUS_NAMESPACE for MESSAGING_TRANSPORT=azure',
    path: ['SERVICEBUS_CONNECTION_STRING'],
  });

export type ServiceBusAuth =
  { readonly kind: 'connectionString'; readonly connectionString: string } | { readonly kind: 'namespace'; readonly namespace: string };

/** Read only when MESSAGING_TRANSPORT=azure. No message here ever contains the connection string's value. */
export const serviceBusConfig = registerAs('serviceBus', () => {
  const env = parseConfig('serviceBus', schema, process.env);
  const auth: ServiceBusAuth = env.SERVICEBUS_CONNECTION_STRING
    ? { kind: 'connectionString', connectionString: env.SERVICEBUS_CONNECTION_STRING }
    : { kind: 'namespace', namespace: fullyQualified(env.SERVICEBUS_NAMESPACE ?? '') };
  return { auth, maxMessageBytes: env.SERVICEBUS_MAX_MESSAGE_BYTES };
});

export type ServiceBusConfig = ConfigType<typeof serviceBusConfig>;

function fullyQualified(namespace: string): string {
  return namespace.includes('.') ? namespace : `${namespace}.servicebus.windows.net`;
}

/** Where `auth` connects, for the lines a user reads: the connection string's Endpoint (never its key) or the namespace. */
export function serviceBusTarget(auth: ServiceBusAuth): ServiceBusTarget {
  if (auth.kind === 'namespace') return { endpoint: `sb://${auth.namespace}`, emulator: false, setting: 'SERVICEBUS_NAMESPACE' };
  const host = /(?:^|;)\s*Endpoint\s*=\s*sb:\/\/([^;/\s]+)/i.exec(auth.connectionString)?.[1];
  return {
    endpoint: host ? `sb://${host}` : 'the Endpoint of SERVICEBUS_CONNECTION_STRING',
    emulator: /(?:^|;)\s*UseDevelopmentEmulator\s*=\s*true\s*(?:;|$)/i.test(auth.connectionString),
    setting: 'SERVICEBUS_CONNECTION_STRING',
  };
}
