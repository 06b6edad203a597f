import { BaseRpcContext } from '@nestjs/microservices';
import type { Envelope } from '../envelope';

/** The RPC context a handler is called with; handlers read the envelope through `@MessageEnvelope()`. */
export class StitchContext extends BaseRpcContext<[Envelope]> {
  getEnvelope(): Envelope {
    return this.args[0];
  }
}
