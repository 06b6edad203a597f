import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { OutgoingDispatcher } from '../outgoing';
import type { Destination, OutgoingMessage, Transport } from '../transport';

interface DispatchPacket {
  readonly destination: Destination;
  readonly message: OutgoingMessage;
}

/**
 * The Nest client side: fire-and-forget only. Commands and events never wait for a reply; a question that
 * needs an answer now goes to the owning service over HTTP.
 */
export class StitchClient extends ClientProxy implements OutgoingDispatcher {
  constructor(private readonly transport: Transport) {
    super();
  }

  async connect(): Promise<void> {}

  async close(): Promise<void> {}

  unwrap<T>(): T {
    return this.transport as T;
  }

  dispatch(destination: Destination, message: OutgoingMessage): Promise<void> {
    return lastValueFrom(this.emit<void, DispatchPacket>(message.type, { destination, message }), { defaultValue: undefined });
  }

  protected async dispatchEvent<T>(packet: ReadPacket<DispatchPacket>): Promise<T> {
    await this.transport.send(packet.data.destination, [packet.data.message]);
    return undefined as T;
  }

  protected publish(_packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({ err: new Error('Stitch messages are fire-and-forget: ask the owning service over HTTP instead'), isDisposed: true });
    return () => undefined;
  }
}
