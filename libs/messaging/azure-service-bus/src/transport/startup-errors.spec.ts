import { ServiceBusError } from '@azure/service-bus';
import { StartupError } from '@stitch/messaging-core';
import { serviceBusTarget } from './config';
import { startupFailure, type ServiceBusTarget } from './startup-errors';

const namespace: ServiceBusTarget = { endpoint: 'sb://my-shop.servicebus.windows.net', emulator: false, setting: 'SERVICEBUS_NAMESPACE' };
const emulator: ServiceBusTarget = { endpoint: 'sb://localhost', emulator: true, setting: 'SERVICEBUS_CONNECTION_STRING' };
const notFound = (path: string) => new ServiceBusError(`The messaging entity '${path}' could not be found.`, 'MessagingEntityNotFound');

describe('serviceBusTarget', () => {
  it('names the Endpoint of a connection string, never its key, and knows the emulator', () => {
    const target = serviceBusTarget({
      kind: 'connectionString',
      connectionString:
        'Endpoint=sb://localhost:5672;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;',
    });
    expect(target).toEqual({ endpoint: 'sb://localhost:5672', emulator: true, setting: 'SERVICEBUS_CONNECTION_STRING' });
    expect(
      serviceBusTarget({ kind: 'connectionString', connectionString: 'Endpoint=sb://shop.servicebus.windows.net/;SharedAccessKey=k' }),
    ).toEqual({
      endpoint: 'sb://shop.servicebus.windows.net',
      emulator: false,
      setting: 'SERVICEBUS_CONNECTION_STRING',
    });
    expect(serviceBusTarget({ kind: 'namespace', namespace: 'shop.servicebus.windows.net' }).endpoint).toBe(
      'sb://shop.servicebus.windows.net',
    );
  });
});

describe('startupFailure', () => {
  it('tells a broker that cannot be reached from entities that do not exist, whatever else failed', () => {
    const refused = Object.assign(new Error('ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:5672'), {
      name: 'MessagingError',
      code: 'GeneralError',
      syscall: 'connect',
    });
    const error = startupFailure(
      [
        { what: 'queue email-service', reason: notFound('email-service') },
        { what: 'topic events', reason: refused },
      ],
      emulator,
    );
    expect(error).toBeInstanceOf(StartupError);
    expect(error.message).toBe(
      'cannot reach the Service Bus broker at sb://localhost (connection refused): is the emulator running? Start it with: docker compose --profile azure up -d servicebus-emulator, or correct the Endpoint in SERVICEBUS_CONNECTION_STRING',
    );
    const lost = startupFailure(
      [{ what: 'topic events', reason: new ServiceBusError('the connection was lost', 'ServiceCommunicationProblem') }],
      namespace,
    );
    expect(lost.message).toBe(
      'cannot reach the Service Bus broker at sb://my-shop.servicebus.windows.net (ServiceCommunicationProblem): is it running? Check that SERVICEBUS_NAMESPACE names an existing namespace and that this network reaches it',
    );
  });

  it('names the missing entities and how to create them on a namespace, and on the emulator', () => {
    const failed = [
      { what: 'queue email-service', reason: notFound('email-service') },
      { what: 'subscription events/email-service', reason: notFound('events/subscriptions/email-service') },
    ];
    expect(startupFailure(failed, namespace).message).toBe(
      'Service Bus topology missing: queue email-service and subscription events/email-service do not exist at sb://my-shop.servicebus.windows.net — create them with: npm run topology:azure -- --apply',
    );
    expect(startupFailure(failed.slice(0, 1), emulator).message).toBe(
      'Service Bus topology missing: queue email-service does not exist at sb://localhost — the emulator creates it from its Config.json: regenerate it with: ' +
        'npm run topology:azure -- --emulator-config infra/azure/emulator/Config.json, then restart the emulator',
    );
  });

  it('says which rights are missing when access is refused', () => {
    const refused = new ServiceBusError('Unauthorized access. Listen claim(s) are required', 'UnauthorizedAccess');
    expect(startupFailure([{ what: 'queue email-service', reason: refused }], namespace).message).toBe(
      'Service Bus at sb://my-shop.servicebus.windows.net refused access to queue email-service (UnauthorizedAccess): ' +
        'give the identity the Azure Service Bus Data Sender and Data Receiver roles on the namespace',
    );
    expect(startupFailure([{ what: 'topic flow', reason: refused }], emulator).message).toMatch(
      /use a connection string whose policy has Send and Listen rights$/,
    );
  });

  it("passes anything else on as the SDK's words in one line, without a key", () => {
    const odd = new Error('something odd\nhappened with SharedAccessKey=abc123');
    expect(startupFailure([{ what: 'topic events', reason: odd }], namespace).message).toBe(
      'Service Bus at sb://my-shop.servicebus.windows.net could not open topic events: Error: something odd happened with SharedAccessKey=***',
    );
  });
});
