import { Inject, Injectable, NotFoundException, type CanActivate } from '@nestjs/common';
import { traceViewConfig, type TraceViewConfig } from '../config/trace-view.config';
import { TRACE_VIEW_OFF } from './otlp-gate';

/** The trace API answers 404 while the trace view is off, as the receiver does. */
@Injectable()
export class TraceViewEnabledGuard implements CanActivate {
  constructor(@Inject(traceViewConfig.KEY) private readonly config: TraceViewConfig) {}

  canActivate(): boolean {
    if (!this.config.enabled) throw new NotFoundException({ message: TRACE_VIEW_OFF });
    return true;
  }
}
