export * from './test-postgres';
export * from './schema-drift';
export * from './service-database';
