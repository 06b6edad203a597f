import type { OutgoingDispatcher } from '../outgoing';
import type { Destination, OutgoingMessage } from '../transport';

export class RecordingDispatcher implements OutgoingDispatcher {
  readonly sent: { destination: Destination; message: OutgoingMessage }[] = [];

  async dispatch(destination: Destination, message: OutgoingMessage): Promise<void> {
    this.sent.push({ destination, message });
  }
}
