export * from './aws-transport';
export * from './aws.config';
export * from './clients';
export * from './create-aws-transport';
export * from './entities';
export * from './provision';
export * from './startup-errors';
export { runAwsTopologyTool } from './topology-command';
export { MessageTooLargeError } from './mapping';
