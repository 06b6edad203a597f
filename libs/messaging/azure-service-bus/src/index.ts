export * from './entities';
export * from './topology';
