import 'reflect-metadata';
import { shopTransports } from '@stitch/messaging-transports';
import { runService } from '@stitch/persistence';
import { InventoryService } from './app.module';

void runService(InventoryService, { transports: shopTransports, defaultPort: 3002 });
