export * from './define';
export * from './catalogue';
export * from './services';
export * from './commands';
export * from './events';
export * from './shop-catalogue';
