import { Inject, Logger, Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import cookieParser from 'cookie-parser';
import { sessionConfig, type SessionConfig } from '../config/session.config';
import { SessionGuard } from './session.guard';

/** Customer sessions: signed cookies read on every request, and the guard of the customer's routes. */
@Module({
  imports: [ConfigModule.forFeature(sessionConfig)],
  providers: [SessionGuard],
  exports: [SessionGuard, ConfigModule],
})
export class SessionModule implements NestModule {
  private readonly logger = new Logger(SessionModule.name);

  constructor(@Inject(sessionConfig.KEY) private readonly config: SessionConfig) {
    if (config.secretIsEphemeral) {
      this.logger.warn(
        'SESSION_SECRET is not set: sessions are signed with a key of this process only, so they end when it restarts and other replicas refuse them',
      );
    }
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(cookieParser(this.config.secret)).forRoutes('*path');
  }
}
