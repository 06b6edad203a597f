import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { operatorConfig } from '../config/operator.config';
import { traceViewConfig, type TraceViewConfig } from '../config/trace-view.config';
import { OtlpReceiverController } from './otlp-receiver.controller';
import { SpanStore } from './span-store';
import { TraceViewEnabledGuard } from './trace-view-enabled.guard';
import { TracesController } from './traces.controller';

/** The trace view: an OTLP/HTTP receiver keeping spans in memory, and the API the page draws waterfalls from. */
@Module({
  imports: [ConfigModule.forFeature(traceViewConfig), ConfigModule.forFeature(operatorConfig)],
  controllers: [OtlpReceiverController, TracesController],
  providers: [
    { provide: SpanStore, inject: [traceViewConfig.KEY], useFactory: (config: TraceViewConfig) => new SpanStore(config.maxSpans) },
    TraceViewEnabledGuard,
  ],
})
export class TracesModule {}
