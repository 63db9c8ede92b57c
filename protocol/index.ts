export * from './envelope.ts';
export * from './events/index.ts';
export * from './messages/client.ts';
export * from './messages/server.ts';
export * from './messages/status.ts';
export * from './decode.ts';
export * from './symbol-machine.ts';
export * from './tester-stat-rows.ts';
