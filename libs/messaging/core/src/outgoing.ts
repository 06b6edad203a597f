import type { Destination, OutgoingMessage, Transport } from './transport';

/**
 * Where the bus hands a message once it is built and validated. Straight to the transport by default; an
 * outbox implements the same port to commit messages with a state change and relay them after commit.
 */
export interface OutgoingDispatcher {
  dispatch(destination: Destination, message: OutgoingMessage): Promise<void>;
}

export class TransportDispatcher implements OutgoingDispatcher {
  constructor(private readonly transport: Transport) {}

  dispatch(destination: Destination, message: OutgoingMessage): Promise<void> {
    return this.transport.send(destination, [message]);
  }
}
