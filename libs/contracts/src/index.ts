export * from './commands';
export * from './events';
export * from './shop-catalogue';
export * from './asyncapi';
