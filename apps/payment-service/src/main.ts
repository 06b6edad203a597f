import 'reflect-metadata';
import { shopTransports } from '@stitch/messaging-transports';
import { runService } from '@stitch/persistence';
import { PaymentService } from './app.module';

void runService(PaymentService, { transports: shopTransports, defaultPort: 3003 });
