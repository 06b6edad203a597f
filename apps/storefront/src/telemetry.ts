import { Services } from '@stitch/manifest';
import { startTelemetry } from '@stitch/telemetry';

// A module of its own, imported first by main.ts, so the SDK starts before Nest, express, http and pg are loaded.
export const telemetry = startTelemetry(Services.storefront);
