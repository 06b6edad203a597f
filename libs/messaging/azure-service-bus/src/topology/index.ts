export * from './duration';
export * from './emulator-config';
export * from './namespace';
export * from './plan';
