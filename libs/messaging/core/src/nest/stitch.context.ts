import { BaseRpcContext } from '@nestjs/microservices';
import type { Envelope } from '../envelope';

/** What `@Ctx()` gives a handler: the whole envelope, for its id, correlation and source. */
export class StitchContext extends BaseRpcContext<[Envelope]> {
  getEnvelope(): Envelope {
    return this.args[0];
  }
}
