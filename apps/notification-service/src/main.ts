import { telemetry } from './telemetry';
import 'reflect-metadata';
import { serviceEntry } from '@stitch/manifest';
import { shopTransports } from '@stitch/messaging-transports';
import { runService } from '@stitch/persistence';
import { NotificationService } from './app.module';

void runService(NotificationService, {
  transports: shopTransports,
  telemetry,
  defaultPort: serviceEntry(NotificationService.service).port,
});
