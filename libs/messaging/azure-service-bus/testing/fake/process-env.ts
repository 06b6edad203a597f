import path from 'node:path';

/**
 * The environment that puts a process of the shop on a fake broker's namespace: the Service Bus transport, a connection
 * string the configuration accepts (it names the namespace; nothing reads its key) and the preload that makes the SDK's
 * client the fake. For whole services launched as in production; a test that builds its own transport passes the fake
 * client instead.
 */
export function fakeServiceBusProcessEnv(serverUrl: string, namespace: string, inherited = process.env): Record<string, string> {
  const preload = path.join(__dirname, 'preload.cjs');
  return {
    MESSAGING_TRANSPORT: 'azure',
    SERVICEBUS_CONNECTION_STRING: `Endpoint=sb://${namespace}.fake.servicebus/;SharedAccessKeyName=fake;SharedAccessKey=unused`,
    TEST_FAKE_SERVICEBUS: `${serverUrl} ${namespace}`,
    NODE_OPTIONS: [inherited['NODE_OPTIONS'], `--require ${preload}`].filter(Boolean).join(' '),
  };
}
