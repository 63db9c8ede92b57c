import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isLoopbackHost } from '../util/loopback-host.ts';


export interface AccessPolicyOptions {
  /** The address the server is bound to and its real port. */
  readonly host: string;
  readonly port: number;
  readonly allowedOrigins: readonly string[];
  readonly token: string | null;
}

export type AccessDecision = { readonly ok: true } | { readonly ok: false; readonly status: 401 | 403; readonly reason: string };

/**
 * Who may open the WebSocket (and read recordings and metrics). A browser always sends
 * `Origin`: it must be the server's own or allow-listed, so a page on another site cannot
 * drive a local bot. A client without `Origin` is not a browser. When a token is configured
 * (always, off loopback) it must come as `Authorization: Bearer <token>`, as a WebSocket
 * subprotocol `tradeloom.bearer.<base64url of the token>` (browsers), or `?token=`.
 */
export class AccessPolicy {
  private readonly loopback: boolean;
  private readonly expectedDigest: Buffer | null;

  constructor(private readonly options: AccessPolicyOptions) {
    this.loopback = isLoopbackHost(options.host);
    this.expectedDigest = options.token === null ? null : digest(options.token);
  }

  /** The origins a browser showing our own UI would send. */
  ownOrigins(req: IncomingMessage): Set<string> {
    const { host, port } = this.options;
    const hosts = this.loopback ? ['localhost', '127.0.0.1', '[::1]', bracket(host)] : [bracket(host)];
    const origins = new Set(hosts.flatMap((h) => [`http://${h}:${port}`, `https://${h}:${port}`]));
    // Off loopback the browser may use any name of this machine; the token guards that case.
    if (!this.loopback && req.headers.host) origins.add(`http://${req.headers.host}`).add(`https://${req.headers.host}`);
    return origins;
  }

  checkOrigin(req: IncomingMessage): AccessDecision {
    const origin = req.headers.origin;
    if (origin === undefined) return { ok: true };
    const normalised = origin.toLowerCase().replace(/\/$/, '');
    if (this.ownOrigins(req).has(normalised)) return { ok: true };
    if (this.options.allowedOrigins.some((o) => o.toLowerCase().replace(/\/$/, '') === normalised)) return { ok: true };
    return { ok: false, status: 403, reason: `origin ${origin.slice(0, 200)} is not allowed` };
  }

  /**
   * On loopback the Host must name this machine: a page whose domain an attacker re-points at
   * 127.0.0.1 (DNS rebinding) is same-origin to the browser, and only the Host header gives it away.
   */
  checkHost(req: IncomingMessage): AccessDecision {
    if (!this.loopback) return { ok: true };
    const host = req.headers.host;
    if (host === undefined) return { ok: true };
    const name = host.replace(/:\d+$/, '');
    return isLoopbackHost(name) ? { ok: true } : { ok: false, status: 403, reason: `unexpected Host ${JSON.stringify(host.slice(0, 200))}` };
  }

  checkToken(req: IncomingMessage): AccessDecision {
    if (this.expectedDigest === null) return { ok: true };
    const given = tokenOf(req);
    if (given !== null && timingSafeEqual(digest(given), this.expectedDigest)) return { ok: true };
    return { ok: false, status: 401, reason: given === null ? 'a bearer token is required' : 'invalid token' };
  }

  /** Every rule; Host and Origin first, so a foreign page learns nothing about the token. */
  check(req: IncomingMessage): AccessDecision {
    const host = this.checkHost(req);
    if (!host.ok) return host;
    const origin = this.checkOrigin(req);
    return origin.ok ? this.checkToken(req) : origin;
  }
}

/** Prefix of the WebSocket subprotocol that carries a token: `tradeloom.bearer.<base64url>`. */
export const TOKEN_PROTOCOL_PREFIX = 'tradeloom.bearer.';

function tokenOf(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  // The scheme is case-insensitive (RFC 7235): `bearer` and `BEARER` are Bearer.
  const bearer = auth ? /^bearer\s+(.+)$/i.exec(auth) : null;
  if (bearer) return bearer[1].trim();
  // A browser's WebSocket cannot set headers; the subprotocol list is the one header it can
  // set, and unlike a URL query it does not end up in access logs.
  const protocols = req.headers['sec-websocket-protocol'];
  if (typeof protocols === 'string') {
    for (const entry of protocols.split(',')) {
      const p = entry.trim();
      if (p.startsWith(TOKEN_PROTOCOL_PREFIX)) return Buffer.from(p.slice(TOKEN_PROTOCOL_PREFIX.length), 'base64url').toString('utf8');
    }
  }
  try {
    return new URL(req.url ?? '/', 'http://x').searchParams.get('token');
  } catch {
    return null;
  }
}

// Comparing digests keeps the comparison constant-time whatever the lengths.
function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function bracket(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
