import { telemetry } from './telemetry';
import 'reflect-metadata';
import { serviceEntry } from '@stitch/manifest';
import { shopTransports } from '@stitch/messaging-transports';
import { runService } from '@stitch/persistence';
import { Storefront } from './app.module';

void runService(Storefront, { transports: shopTransports, telemetry, defaultPort: serviceEntry(Storefront.service).port });
