export * from './define';
export * from './catalogue';
