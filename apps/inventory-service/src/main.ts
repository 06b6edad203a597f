import { telemetry } from './telemetry';
import 'reflect-metadata';
import { serviceEntry } from '@stitch/manifest';
import { shopTransports } from '@stitch/messaging-transports';
import { runService } from '@stitch/persistence';
import { InventoryService } from './app.module';

void runService(InventoryService, { transports: shopTransports, telemetry, defaultPort: serviceEntry(InventoryService.service).port });
