export * from './client';
export * from './config';
export * from './mapping';
export * from './lock-renewal';
export * from './sdk-client';
export * from './service-bus-transport';
export * from './startup-errors';
export * from './shop-marker';
