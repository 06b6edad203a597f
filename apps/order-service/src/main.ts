import 'reflect-metadata';
import { shopTransports } from '@stitch/messaging-transports';
import { runService } from '@stitch/persistence';
import { OrderService } from './app.module';

void runService(OrderService, { transports: shopTransports, defaultPort: 3001 });
