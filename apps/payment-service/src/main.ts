import { telemetry } from './telemetry';
import 'reflect-metadata';
import { serviceEntry } from '@stitch/manifest';
import { shopTransports } from '@stitch/messaging-transports';
import { runService } from '@stitch/persistence';
import { PaymentService } from './app.module';

void runService(PaymentService, { transports: shopTransports, telemetry, defaultPort: serviceEntry(PaymentService.service).port });
