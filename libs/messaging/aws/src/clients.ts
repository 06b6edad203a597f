import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { recordCalls, type CallLogTarget } from './call-log';

export interface AwsClients {
  readonly sqs: SQSClient;
  readonly eventBridge: EventBridgeClient;
}

export interface AwsClientSettings {
  /** An emulator (moto, LocalStack); unset on AWS. */
  readonly endpoint?: string;
  /** Unset: the SDK's default chain (AWS_REGION, the profile's region). */
  readonly region?: string;
  /** A permission test's call log (see call-log.ts): every call of both clients is appended there. Unset in production. */
  readonly callLog?: CallLogTarget;
}

/** Credentials always come from the SDK's default provider chain (environment, profile, SSO, role). */
export function createAwsClients(settings: AwsClientSettings = {}): AwsClients {
  const common = { ...(settings.region ? { region: settings.region } : {}), ...(settings.endpoint ? { endpoint: settings.endpoint } : {}) };
  const clients = { sqs: new SQSClient(common), eventBridge: new EventBridgeClient(common) };
  if (settings.callLog) recordCalls(clients, settings.callLog);
  return clients;
}

export function destroyAwsClients(clients: AwsClients): void {
  clients.sqs.destroy();
  clients.eventBridge.destroy();
}
