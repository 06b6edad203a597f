import { listBriefly, networkFailure, StartupError, topologyOfAnotherShop } from '@stitch/messaging-core';
import { describeError } from './warn';

/** Where the transport connects, as a person would name it; never a key. */
export interface ServiceBusTarget {
  /** `sb://localhost:5672`, `sb://my-shop.servicebus.windows.net`. */
  readonly endpoint: string;
  /** The connection string says `UseDevelopmentEmulator=true`: the emulator, provisioned from its Config.json. */
  readonly emulator: boolean;
  /** The setting that names it, for the user to check. */
  readonly setting: 'SERVICEBUS_CONNECTION_STRING' | 'SERVICEBUS_NAMESPACE';
}

/** One entity the start-up check could not open, and why. */
export interface FailedCheck {
  readonly what: string;
  readonly reason: unknown;
}

export const EMULATOR_COMMAND = 'docker compose --profile azure up -d servicebus-emulator';
export const PROVISION_COMMAND = 'npm run topology:azure -- --apply';
export const EMULATOR_CONFIG_COMMAND = 'npm run topology:azure -- --emulator-config infra/azure/emulator/Config.json';

const UNREACHABLE_CODES = new Set(['ServiceCommunicationProblem', 'ServiceCommunicationError', 'ServiceTimeout']);

function code(reason: unknown): string {
  return String((reason as { code?: unknown })?.code ?? '');
}

function unreachable(reason: unknown): string | undefined {
  return networkFailure(reason) ?? (UNREACHABLE_CODES.has(code(reason)) ? `${code(reason)}` : undefined);
}

/**
 * The one line a failed start-up check becomes, by what a user has to do about it: a broker that cannot be
 * reached (start it, fix its address), access refused (rights), entities that do not exist (provision them),
 * else the SDK's own words, redacted.
 */
export function startupFailure(failed: readonly FailedCheck[], target: ServiceBusTarget): StartupError {
  const cause = failed[0]?.reason;
  const down = failed.map((check) => unreachable(check.reason)).find(Boolean);
  if (down) return brokerUnreachable(target, down, cause);

  const refused = failed.filter((check) => code(check.reason) === 'UnauthorizedAccess');
  if (refused.length > 0) {
    const rights =
      target.setting === 'SERVICEBUS_NAMESPACE'
        ? 'give the identity the Azure Service Bus Data Sender and Data Receiver roles on the namespace'
        : 'use a connection string whose policy has Send and Listen rights';
    return new StartupError(
      `Service Bus at ${target.endpoint} refused access to ${listBriefly(refused.map((check) => check.what))} (UnauthorizedAccess): ${rights}`,
      {
        cause: refused[0]?.reason,
      },
    );
  }

  const missing = failed.filter((check) => code(check.reason) === 'MessagingEntityNotFound');
  if (missing.length > 0) {
    const names = missing.map((check) => check.what);
    const fix = target.emulator
      ? `the emulator creates ${names.length === 1 ? 'it' : 'them'} from its Config.json: regenerate it with: ${EMULATOR_CONFIG_COMMAND}, then restart the emulator`
      : `create ${names.length === 1 ? 'it' : 'them'} with: ${PROVISION_COMMAND}`;
    return new StartupError(
      `Service Bus topology missing: ${listBriefly(names)} ${names.length === 1 ? 'does' : 'do'} not exist at ${target.endpoint} — ${fix}`,
      {
        cause: missing[0]?.reason,
      },
    );
  }

  const first = failed[0];
  return new StartupError(
    `Service Bus at ${target.endpoint} could not open ${first?.what ?? 'its entities'}: ${describeError(cause).replace(/\s*\n\s*/g, ' ')}`,
    { cause },
  );
}

/** `cannot reach the Service Bus broker at …: is it running?`, with how to start it or where its address is set. */
export function brokerUnreachable(target: ServiceBusTarget, why: string, cause?: unknown): StartupError {
  const advice = target.emulator
    ? `is the emulator running? Start it with: ${EMULATOR_COMMAND}, or correct the Endpoint in ${target.setting}`
    : `is it running? Check that ${target.setting} names an existing namespace and that this network reaches it`;
  return new StartupError(`cannot reach the Service Bus broker at ${target.endpoint} (${why}): ${advice}`, { cause });
}

/** The namespace's marker names another shop: this service would take that shop's messages. */
export function namespaceOfOtherShop(owner: string, shopId: string, target: ServiceBusTarget): StartupError {
  return topologyOfAnotherShop({
    topology: `the Service Bus namespace at ${target.endpoint}`,
    owner,
    shopId,
    fix: `give this shop its own namespace (${target.setting}), or start it with that shop's id (STITCH_SHOP_ID)`,
  });
}

/** A namespace provisioned by an earlier version (or by hand): its marker queue is empty. */
export function shopMarkerMissing(shopId: string, target: ServiceBusTarget): StartupError {
  return new StartupError(
    `the Service Bus namespace at ${target.endpoint} is not marked for any shop (queue stitch-shop is empty): ` +
      `provision it for this shop with: STITCH_SHOP_ID=${shopId} ${PROVISION_COMMAND}`,
  );
}
