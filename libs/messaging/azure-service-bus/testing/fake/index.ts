export { FakeNamespace, FakeBrokerError, type FakeNamespaceOptions } from './broker';
export { FakeServiceBusClient } from './client';
export { FakeServiceBusServer } from './server';
export { fakeServiceBusProcessEnv } from './process-env';
export { provisionFakeShopNamespace, type FakeShopNamespace } from './shop-namespace';
