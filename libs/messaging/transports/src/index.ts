export * from './shop-transports';
