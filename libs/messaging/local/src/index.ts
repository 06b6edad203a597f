import type { Transport } from '@stitch/messaging-core';
export type T = Transport;
