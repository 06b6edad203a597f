import { telemetry } from './telemetry';
import 'reflect-metadata';
import { serviceEntry } from '@stitch/manifest';
import { shopTransports } from '@stitch/messaging-transports';
import { runService } from '@stitch/persistence';
import { OrderService } from './app.module';

void runService(OrderService, { transports: shopTransports, telemetry, defaultPort: serviceEntry(OrderService.service).port });
