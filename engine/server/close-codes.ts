/**
 * WebSocket close codes the server uses. 1008/1009 are the standard ones the spec's rate
 * limiting and size limit call for; 4000 is ours for a client too slow to keep up.
 */
export const CLOSE_CODES = {
  /** Normal shutdown of the server. */
  GOING_AWAY: 1001,
  /** Sustained flood of messages beyond the rate limit (policy violation). */
  POLICY_VIOLATION: 1008,
  /** A message larger than `maxPayload` (sent by `ws` itself). */
  MESSAGE_TOO_BIG: 1009,
  /** The client could not keep up with the event stream; reconnect and `resume`. */
  SLOW_CONSUMER: 4000,
} as const;
