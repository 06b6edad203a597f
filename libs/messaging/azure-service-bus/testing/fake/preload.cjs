// Preloaded (`node --require`) into a process that must run on the fake broker without knowing it: a whole shop's
// services, launched as in production, whose composition builds the SDK's ServiceBusClient from a connection string.
// With TEST_FAKE_SERVICEBUS="<server url> <namespace>" every ServiceBusClient the process makes is a FakeServiceBusClient
// of that namespace; the rest of the SDK (its errors, its types) is the SDK's own, as the fake's errors are.
'use strict';
const Module = require('node:module');
const path = require('node:path');

const [url, namespace] = (process.env.TEST_FAKE_SERVICEBUS || '').split(' ');
if (url && namespace) {
  const load = Module._load;
  let sdk;
  Module._load = function loadWithFakeClient(request, ...rest) {
    const loaded = load.call(this, request, ...rest);
    if (request !== '@azure/service-bus') return loaded;
    sdk ??= Object.freeze({
      ...loaded,
      // Loaded when a client is made, by then the process compiles TypeScript (it runs under @swc-node/register).
      ServiceBusClient: function FakeBackedServiceBusClient() {
        const { FakeServiceBusClient } = require(path.join(__dirname, 'client.ts'));
        return new FakeServiceBusClient(url, namespace);
      },
    });
    return sdk;
  };
}
