export * from './conformance-catalogue';
export * from './conformance-suite';
export * from './consumer-processes';
export * from './consumer-protocol';
export * from './fixture';
export * from './in-memory-drivers';
