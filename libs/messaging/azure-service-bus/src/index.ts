export * from './entities';
export * from './topology';
export * from './transport';
