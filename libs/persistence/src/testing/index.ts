export * from './test-postgres';
export * from './schema-drift';
