import { randomBytes } from 'node:crypto';

/**
 * Idempotent client order ids. Every order the engine sends carries one in its MT5 comment
 * (`T` plus 8 base-36 characters, then a space and the caller's comment, cut to MT5's 31
 * characters). After a reconnect the engine searches the terminal's positions and deals for that
 * id before it resends, so a request that did execute is never executed twice.
 */
export const MT5_COMMENT_MAX = 31;
const ID_PATTERN = /^(T[0-9a-z]{8})(?:\s|$)/;

export function newClientOrderId(): string {
  const bytes = randomBytes(8);
  let id = 'T';
  for (const byte of bytes) id += (byte % 36).toString(36);
  return id;
}

/** The comment sent to the terminal: the id first so truncation never cuts it. */
export function commentWithClientId(clientId: string, comment: string): string {
  const text = comment ? `${clientId} ${comment}` : clientId;
  return text.slice(0, MT5_COMMENT_MAX);
}

/** The client order id a comment carries, or null (orders placed by hand, other EAs). */
export function clientIdOf(comment: string): string | null {
  return ID_PATTERN.exec(comment ?? '')?.[1] ?? null;
}

/** The caller's comment without the id. */
export function commentWithoutClientId(comment: string): string {
  return (comment ?? '').replace(ID_PATTERN, '').trimStart();
}
