import { telemetry } from './telemetry';
import 'reflect-metadata';
import { serviceEntry } from '@stitch/manifest';
import { shopTransports } from '@stitch/messaging-transports';
import { runService } from '@stitch/persistence';
import { EmailService } from './app.module';

void runService(EmailService, { transports: shopTransports, telemetry, defaultPort: serviceEntry(EmailService.service).port });
