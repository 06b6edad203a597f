export * from './permissions';
export { synthShop } from './synth';
