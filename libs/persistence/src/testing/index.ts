export * from './test-postgres';
