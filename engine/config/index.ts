export * from './config-codec.ts';
export * from './config-error.ts';
export * from './defaults.ts';
export * from './load-config.ts';
export * from './resolve-bot.ts';
export * from './symbol-history.ts';
