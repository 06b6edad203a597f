export * from './entities';
export * from './transport';
