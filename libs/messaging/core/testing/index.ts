// Test doubles, kept out of the main entry so that nothing shipped can depend on them.
export * from './in-memory-transport';
export * from './cloud-event-wire';
