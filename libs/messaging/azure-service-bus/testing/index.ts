// Test doubles, kept out of the main entry so that nothing shipped can depend on them.
export * from './fake';
export { InMemoryNamespace } from './in-memory-namespace';
