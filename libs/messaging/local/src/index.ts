import { LocalTransport, type LocalTransportOptions } from './local-transport';

export { LocalTransport, type LocalTransportOptions } from './local-transport';

export function createLocalTransport(options: LocalTransportOptions): LocalTransport {
  return new LocalTransport(options);
}
