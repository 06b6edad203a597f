export * from './temporary-workspace';
