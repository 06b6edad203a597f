export * from './check-calls';
export * from './iam-actions';
export * from './template-policies';
