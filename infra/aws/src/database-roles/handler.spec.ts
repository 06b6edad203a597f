import net from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { onEvent, type DatabaseRolesEvent } from './handler';

const MASTER_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:master-AbCdEf';
const ORDER_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:order-AbCdEf';

/** Secrets Manager's answers, by secret id: the one thing the handler asks AWS. */
function secretsHold(values: Record<string, string>): jest.SpyInstance {
  const answer = (command: { input?: { SecretId?: string } }) => {
    const value = values[command.input?.SecretId ?? ''];
    return value === undefined ? Promise.reject(new Error('ResourceNotFoundException')) : Promise.resolve({ SecretString: value });
  };
  return jest.spyOn(SecretsManagerClient.prototype, 'send').mockImplementation(answer as never);
}

function event(requestType: DatabaseRolesEvent['RequestType'], port = 5432): DatabaseRolesEvent {
  return {
    RequestType: requestType,
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: 'database-roles' }),
    ResourceProperties: {
      Host: '127.0.0.1',
      Port: String(port),
      MasterSecretArn: MASTER_ARN,
      Roles: [{ service: 'order-service', database: 'stitch_order', username: 'order_service', secretArn: ORDER_ARN }],
    },
  };
}

describe('the database roles handler', () => {
  afterEach(() => jest.restoreAllMocks());

  it('keeps everything on Delete, reading no secret', async () => {
    const send = secretsHold({});
    await expect(onEvent(event('Delete'))).resolves.toEqual({ PhysicalResourceId: 'database-roles' });
    expect(send).not.toHaveBeenCalled();
  });

  it('refuses a service secret made for another user, naming both users and not the password', async () => {
    secretsHold({
      [MASTER_ARN]: JSON.stringify({ username: 'stitch', password: 'master-secret' }),
      [ORDER_ARN]: JSON.stringify({ username: 'payment_service', password: 'service-secret' }),
    });
    const failure = onEvent(event('Create'));
    await expect(failure).rejects.toThrow('the secret of order-service names the user "payment_service", and its role is "order_service"');
    await expect(failure).rejects.not.toThrow(/secret"|master-secret|service-secret/);
  });

  it('refuses a secret that is not a database secret, without its content', async () => {
    secretsHold({ [MASTER_ARN]: 'hunter2', [ORDER_ARN]: JSON.stringify({ password: 'service-secret' }) });
    const failure = onEvent(event('Update'));
    await expect(failure).rejects.toThrow(`the master secret (${MASTER_ARN}) is not the JSON of a database secret`);
    await expect(failure).rejects.not.toThrow(/hunter2/);
  });

  it('connects with TLS only: a server that offers none is refused', async () => {
    secretsHold({
      [MASTER_ARN]: JSON.stringify({ username: 'stitch', password: 'master-secret' }),
      [ORDER_ARN]: JSON.stringify({ username: 'order_service', password: 'service-secret' }),
    });
    // Answers PostgreSQL's SSLRequest with "N" (no TLS here), as a server without TLS does.
    const sslRequests: Buffer[] = [];
    const server = net.createServer((socket) =>
      socket.once('data', (request) => {
        sslRequests.push(request);
        socket.write('N');
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      await expect(onEvent(event('Create', port))).rejects.toThrow('The server does not support SSL connections');
      // Length 8, then the SSLRequest code 80877103.
      expect(sslRequests.map((request) => request.readInt32BE(4))).toEqual([80877103]);
    } finally {
      server.close();
    }
  });
});
