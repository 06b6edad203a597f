import { listBriefly, networkFailure, StartupError, topologyOfAnotherShop } from '@stitch/messaging-core';

/** Where the transport talks to AWS, for the lines a user reads. */
export interface AwsTarget {
  /** AWS_ENDPOINT_URL: an emulator. Unset on AWS itself. */
  readonly endpoint?: string;
  readonly region?: string;
  /** STITCH_PREFIX, which the provisioning command must be given too. */
  readonly prefix: string;
}

export const AWS_PROVISION_COMMAND = 'npm run topology:aws -- --apply';

const REFUSED = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'IncompleteSignature',
  'ExpiredToken',
  'ExpiredTokenException',
  'AccessDenied',
  'AccessDeniedException',
]);

/** `http://127.0.0.1:5000`, or on AWS the host that failed (it names the API and the region), or the region. */
function where(target: AwsTarget, error?: unknown): string {
  if (target.endpoint) return target.endpoint;
  const host = (error as { hostname?: unknown })?.hostname;
  if (typeof host === 'string' && host) return `https://${host}`;
  return target.region ? `AWS (${target.region})` : 'AWS';
}

/** The prefix the services run with, in front of the command, so it provisions what they look for. */
export function provisionCommand(target: AwsTarget): string {
  return `${target.prefix ? `STITCH_PREFIX=${target.prefix} ` : ''}${AWS_PROVISION_COMMAND}`;
}

/** `AWS topology missing: queue order-service does not exist at … — create it with: npm run topology:aws -- --apply`. */
export function topologyMissing(missing: readonly string[], target: AwsTarget): StartupError {
  const one = missing.length === 1;
  return new StartupError(
    `AWS topology missing: ${listBriefly(missing)} ${one ? 'does' : 'do'} not exist at ${where(target)} — create ${one ? 'it' : 'them'} with: ${provisionCommand(target)}`,
  );
}

function topologyName(target: AwsTarget): string {
  return `the AWS topology ${target.prefix ? `with prefix ${target.prefix}` : 'without a prefix'} at ${where(target)}`;
}

/** The queues are tagged for another shop: this service would take its messages. */
export function topologyOfOtherShop(owners: readonly string[], shopId: string, target: AwsTarget): StartupError {
  return topologyOfAnotherShop({
    topology: topologyName(target),
    owner: owners.join(', '),
    shopId,
    fix: "give this shop its own prefix (STITCH_PREFIX) and provision it, or start it with that shop's id (STITCH_SHOP_ID)",
  });
}

/** Queues without the shop tag: provisioned by an earlier version, or by hand. */
export function shopMarkerMissing(untagged: readonly string[], shopId: string, target: AwsTarget): StartupError {
  return new StartupError(
    `${topologyName(target)} is not marked for any shop (queue ${listBriefly(untagged)} has no stitch:shop tag): ` +
      `provision it for this shop with: STITCH_SHOP_ID=${shopId} ${provisionCommand(target)}`,
  );
}

/** `cannot reach the AWS API at …: is it running?`, with what to check on an emulator and on AWS. */
export function awsUnreachable(target: AwsTarget, why: string, cause?: unknown): StartupError {
  const advice = target.endpoint
    ? 'is the emulator running? Start it (e.g. moto_server -H 127.0.0.1 -p 5000) or correct AWS_ENDPOINT_URL'
    : 'check AWS_REGION and that this network reaches AWS';
  return new StartupError(`cannot reach the AWS API at ${where(target, cause)} (${why}): ${advice}`, { cause });
}

/**
 * What the start-up check's error means for a user, as one line: AWS cannot be reached, has no credentials or
 * region, or refused them; else the SDK's words with where it happened.
 */
export function awsStartupFailure(error: unknown, target: AwsTarget): StartupError {
  const down = networkFailure(error);
  if (down) return awsUnreachable(target, down, error);
  const name = (error as { name?: unknown })?.name;
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  if (name === 'CredentialsProviderError') {
    const emulator = target.endpoint ? ' (an emulator accepts any, e.g. test and test)' : '';
    return new StartupError(`AWS credentials not found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY${emulator}`, {
      cause: error,
    });
  }
  if (/Region is missing/i.test(message)) {
    return new StartupError('AWS region not set: set AWS_REGION (e.g. eu-west-1) or a region in the AWS profile', { cause: error });
  }
  if (typeof name === 'string' && REFUSED.has(name)) {
    return new StartupError(
      `AWS at ${where(target)} refused the request (${name}): check the credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID) and the service's permissions (libs/messaging/aws/README.md)`,
      { cause: error },
    );
  }
  return new StartupError(`AWS start-up check at ${where(target)} failed: ${typeof name === 'string' ? `${name}: ` : ''}${message}`, {
    cause: error,
  });
}
