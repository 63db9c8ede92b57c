export * from './config-codec.ts';
export * from './config-error.ts';
export * from './defaults.ts';
export * from './load-config.ts';
