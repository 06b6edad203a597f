import { Controller, Get, Inject } from '@nestjs/common';
import { MessagingRuntime } from '../runtime';

/**
 * `GET /health` of every app. The HTTP server listens only after the transport has started and the consumer
 * is receiving (see bootstrapService), so answering at all means ready; a launcher or an orchestrator waits on it.
 */
@Controller()
export class HealthController {
  constructor(@Inject(MessagingRuntime) private readonly runtime: MessagingRuntime) {}

  @Get('health')
  health(): { status: 'ok'; service: string; instance: string } {
    return { status: 'ok', service: this.runtime.options.service, instance: this.runtime.options.instance };
  }
}
