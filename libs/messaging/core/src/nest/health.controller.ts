import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { MessagingRuntime } from '../runtime';
import { Readiness } from './readiness';

/** A check that takes longer than this counts as down: a probe must answer before the orchestrator gives up. */
const CHECK_TIMEOUT_MS = 3_000;

/**
 * Every app's health. Liveness depends on nothing but the process answering, so an outage of the database or the
 * broker never gets a healthy replica restarted; readiness says whether it can do its work now. The HTTP server
 * listens only once the transport has started and the consumer receives, so readiness starts true.
 */
@Controller('health')
export class HealthController {
  constructor(
    @Inject(MessagingRuntime) private readonly runtime: MessagingRuntime,
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(Readiness) private readonly readiness: Readiness,
  ) {}

  @Get('live')
  live(): { status: 'ok'; service: string; instance: string } {
    return { status: 'ok', service: this.runtime.options.service, instance: this.runtime.options.instance };
  }

  /** 200 when every dependency answers; 503 naming each that does not, with why. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check(
      this.readiness.entries().map(
        ([name, check]) =>
          () =>
            this.probe(name, check),
      ),
    );
  }

  /** What launchers and older probes ask: the same as readiness. */
  @Get()
  @HealthCheck()
  any() {
    return this.ready();
  }

  private async probe(name: string, check: () => Promise<unknown>): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(name);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        check(),
        new Promise(
          (_resolve, reject) =>
            (timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS / 1000} s`)), CHECK_TIMEOUT_MS)),
        ),
      ]);
      return indicator.up();
    } catch (error) {
      return indicator.down({ reason: error instanceof Error ? error.message.split('\n')[0] : String(error) });
    } finally {
      clearTimeout(timer);
    }
  }
}
