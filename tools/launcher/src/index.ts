export * from './args';
export * from './launch';
export * from './ports';
export * from './run-record';
export * from './service-output';
export { describeExit, ServiceFailedError, type ExitStatus } from './service-process';
export * from './services';
export * from './operator-token';
