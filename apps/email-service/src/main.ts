import 'reflect-metadata';
import { shopTransports } from '@stitch/messaging-transports';
import { runService } from '@stitch/persistence';
import { EmailService } from './app.module';

void runService(EmailService, { transports: shopTransports, defaultPort: 3004 });
