import 'reflect-metadata';
import { shopTransports } from '@stitch/messaging-transports';
import { runService } from '@stitch/persistence';
import { Storefront } from './app.module';

void runService(Storefront, { transports: shopTransports, defaultPort: 3000 });
