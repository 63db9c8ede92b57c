import { createHash, randomUUID } from 'node:crypto';

/** A random v4 uuid (live sessions, connections). */
export function newUuid(): string {
  return randomUUID();
}

/**
 * A uuid derived from its inputs (name-based, SHA-1, version 5 layout), so the same backtest
 * run twice gets the same session id and byte-identical output.
 */
export function stableUuid(...parts: readonly unknown[]): string {
  const hex = createHash('sha1').update(JSON.stringify(parts)).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
