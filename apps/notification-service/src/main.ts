import 'reflect-metadata';
import { shopTransports } from '@stitch/messaging-transports';
import { runService } from '@stitch/persistence';
import { NotificationService } from './app.module';

void runService(NotificationService, { transports: shopTransports, defaultPort: 3005 });
