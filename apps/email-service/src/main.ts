import 'reflect-metadata';
import { bootstrapService } from '@stitch/messaging-core';
import { AppModule } from './app.module';

void bootstrapService(AppModule, { defaultPort: 3004 });
