import 'reflect-metadata';
import { bootstrapService } from '@stitch/messaging-core';
import { AppModule } from './app.module';
import { storefrontHttp } from './http/configure-http';

void bootstrapService(AppModule, { defaultPort: 3000, ...storefrontHttp });
