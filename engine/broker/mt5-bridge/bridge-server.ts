import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { randomUUID } from 'node:crypto';
import { isLoopbackHost } from '../../util/loopback-host.ts';
import { LineDecoder, LineTooLongError } from './line-decoder.ts';
import { BRIDGE_PROTOCOL_VERSION, decodeEaLine, encodeLine, type EaMessage, type EngineMessage } from './bridge-protocol.ts';
import { digestMatches, newNonce } from './bridge-auth.ts';

export interface BridgeServerOptions {
  /** Shared secret, also typed into the EA's `InpSecret` input. Never logged. */
  readonly secret: string;
  /** Defaults to 127.0.0.1: the EA runs on the same machine. */
  readonly host?: string;
  /** Default 5555 (the EA's default `InpPort`); 0 picks a free port (tests). */
  readonly port?: number;
  /** Heartbeat period; the session is dropped after three periods of silence. */
  readonly heartbeatMs?: number;
  readonly authTimeoutMs?: number;
  readonly maxLineBytes?: number;
  /**
   * TLS for a link that leaves the machine (PEM certificate chain and private key). Required when
   * `host` is not a loopback address: over plaintext one captured nonce and digest allow an offline
   * guess of the secret. The EA then connects with `InpTls=true`.
   */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
}

/** 32 characters: a random secret of that length is out of reach of an offline guess. */
export const MIN_SECRET_LENGTH = 32;

/** Checks the options a user types; throws an error naming the option. */
export function checkBridgeOptions(options: BridgeServerOptions): void {
  if (typeof options.secret !== 'string' || options.secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`mt5-bridge: option "secret" must be a string of at least ${MIN_SECRET_LENGTH} characters (the same value as the EA input InpSecret); got ${typeof options.secret === 'string' ? `${options.secret.length} characters` : typeof options.secret}`);
  }
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host) && !options.tls) {
    throw new Error(`mt5-bridge: option "host" is ${host}, not a loopback address: give option "tls" (cert and key) so the link is encrypted, or keep host 127.0.0.1 and reach it through an SSH or WireGuard tunnel (engine/broker/README.md)`);
  }
}

export interface BridgeSessionInfo {
  readonly id: string;
  readonly ea: string;
  readonly login: number;
  readonly server: string;
  /** The trade server's clock minus UTC in seconds, from the hello; undefined from an EA before 1.20. */
  readonly serverOffsetS?: number;
}

export interface BridgeServerHandlers {
  onReady(session: BridgeSessionInfo): void;
  onMessage(message: EaMessage, session: BridgeSessionInfo): void;
  /** `oversized`: the EA sent a line over the size limit (whatever was asked last must not be asked again as is). */
  onClosed(session: BridgeSessionInfo, reason: string, cause: { oversized: boolean }): void;
  /** Bad input and refused peers, for the log; never contains the secret. */
  onProblem(text: string): void;
}

interface Peer {
  readonly socket: Socket;
  readonly decoder: LineDecoder;
  readonly remote: string;
  stage: 'hello' | 'auth' | 'ready' | 'closed';
  nonce: string;
  info: BridgeSessionInfo | null;
  lastSeen: number;
  authTimer: NodeJS.Timeout | null;
  oversized: boolean;
}

/**
 * The TCP (or TLS) server the EA connects to. One authenticated session at a time: while it is
 * alive a second EA (another chart, another terminal with the same secret) is refused with a reason
 * naming the first, instead of the two evicting each other forever. A newcomer replaces the
 * session only when that one has gone silent (a terminal that restarted without closing its socket).
 */
export class BridgeServer {
  private readonly peers = new Set<Peer>();
  private active: Peer | null = null;
  private readonly heartbeatMs: number;
  private readonly heartbeatTimer: NodeJS.Timeout;

  private constructor(private readonly server: Server, private readonly options: BridgeServerOptions, private readonly handlers: BridgeServerHandlers) {
    this.heartbeatMs = options.heartbeatMs ?? 5_000;
    this.heartbeatTimer = setInterval(() => this.beat(), this.heartbeatMs);
    this.heartbeatTimer.unref();
    if (options.tls) {
      server.on('secureConnection', (socket: Socket) => this.accept(socket));
      server.on('tlsClientError', (err: Error) => handlers.onProblem(`mt5-bridge: TLS handshake failed: ${err.message}`));
    } else {
      server.on('connection', (socket) => this.accept(socket));
    }
  }

  static async listen(options: BridgeServerOptions, handlers: BridgeServerHandlers): Promise<BridgeServer> {
    checkBridgeOptions(options);
    const server = options.tls
      ? createTlsServer({ cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' })
      : createServer({ noDelay: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 5555, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new BridgeServer(server, options, handlers);
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** Writes to the authenticated EA; false when there is none. */
  send(message: EngineMessage): boolean {
    const peer = this.active;
    if (!peer || peer.stage !== 'ready' || peer.socket.destroyed) return false;
    peer.socket.write(encodeLine(message));
    return true;
  }

  isReady(): boolean {
    return this.active?.stage === 'ready';
  }

  /** Drops the current session (tests, shutdown). */
  dropSession(reason: string): void {
    if (this.active) this.end(this.active, reason);
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    for (const peer of [...this.peers]) this.end(peer, 'server closing');
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const peer: Peer = {
      socket, decoder: new LineDecoder(this.options.maxLineBytes), remote: `${socket.remoteAddress}:${socket.remotePort}`,
      stage: 'hello', nonce: '', info: null, lastSeen: Date.now(), authTimer: null, oversized: false,
    };
    this.peers.add(peer);
    peer.authTimer = setTimeout(() => this.refuse(peer, 'no hello/auth in time'), this.options.authTimeoutMs ?? 10_000);
    socket.setKeepAlive(true, 10_000);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(peer, chunk));
    socket.on('error', (err) => this.handlers.onProblem(`mt5-bridge: socket ${peer.remote}: ${err.message}`));
    socket.on('close', () => this.end(peer, peer.decoder.pendingText() ? 'connection lost mid-message' : 'connection closed'));
  }

  private receive(peer: Peer, chunk: Buffer): void {
    peer.lastSeen = Date.now();
    let lines;
    try {
      lines = peer.decoder.push(chunk);
    } catch (err) {
      if (err instanceof LineTooLongError) peer.oversized = true;
      this.refuse(peer, (err as Error).message);
      return;
    }
    for (const line of lines) {
      if (peer.stage === 'closed') return;
      const decoded = decodeEaLine(line.text, line.lineNumber);
      if (!decoded.ok) {
        this.handlers.onProblem(`mt5-bridge: ${peer.remote}: ${decoded.error}`);
        continue;
      }
      this.dispatch(peer, decoded.message);
    }
  }

  private dispatch(peer: Peer, message: EaMessage): void {
    if (peer.stage === 'hello') {
      if (message.type !== 'hello') return this.refuse(peer, `expected "hello", got "${message.type}"`);
      if (message.v !== BRIDGE_PROTOCOL_VERSION) return this.refuse(peer, `protocol version ${message.v} not supported (engine speaks ${BRIDGE_PROTOCOL_VERSION})`);
      peer.nonce = newNonce();
      peer.info = { id: randomUUID(), ea: message.ea, login: message.login ?? 0, server: message.server ?? '', serverOffsetS: message.server_offset_s };
      peer.stage = 'auth';
      peer.socket.write(encodeLine({ type: 'challenge', v: BRIDGE_PROTOCOL_VERSION, nonce: peer.nonce }));
      return;
    }
    if (peer.stage === 'auth') {
      if (message.type !== 'auth') return this.refuse(peer, `expected "auth", got "${message.type}"`);
      if (!digestMatches(peer.nonce, this.options.secret, message.digest)) return this.refuse(peer, 'authentication failed (wrong secret)');
      const previous = this.active;
      if (previous && previous !== peer && previous.stage === 'ready') {
        const silentMs = Date.now() - previous.lastSeen;
        if (silentMs <= 2 * this.heartbeatMs) {
          const who = `login ${previous.info!.login}${previous.info!.server ? ` on ${previous.info!.server}` : ''} from ${previous.remote}`;
          return this.refuse(peer, `another EA is already connected with this secret (${who}, session ${previous.info!.id}): one EA per engine; remove TradeloomBridge from the other chart or terminal`);
        }
        this.end(previous, `replaced by a new EA session (the previous one was silent for ${silentMs} ms)`);
      }
      if (peer.authTimer) clearTimeout(peer.authTimer);
      peer.stage = 'ready';
      this.active = peer;
      peer.socket.write(encodeLine({ type: 'welcome', v: BRIDGE_PROTOCOL_VERSION, session: peer.info!.id, heartbeat_ms: this.heartbeatMs }));
      this.handlers.onReady(peer.info!);
      return;
    }
    // A heartbeat matters beyond liveness only when it carries the server's offset from UTC (DST changes).
    if (peer.stage === 'ready' && (message.type !== 'heartbeat' || message.server_offset_s !== undefined)) this.handlers.onMessage(message, peer.info!);
  }

  private refuse(peer: Peer, reason: string): void {
    this.handlers.onProblem(`mt5-bridge: refused ${peer.remote}: ${reason}`);
    if (!peer.socket.destroyed) peer.socket.end(encodeLine({ type: 'reject', reason }));
    this.end(peer, reason);
  }

  private end(peer: Peer, reason: string): void {
    if (peer.stage === 'closed') return;
    const wasReady = peer.stage === 'ready';
    peer.stage = 'closed';
    if (peer.authTimer) clearTimeout(peer.authTimer);
    this.peers.delete(peer);
    peer.socket.destroy();
    if (this.active === peer) this.active = null;
    if (wasReady) this.handlers.onClosed(peer.info!, reason, { oversized: peer.oversized });
  }

  private beat(): void {
    const now = Date.now();
    for (const peer of this.peers) {
      if (peer.stage !== 'ready') continue;
      if (now - peer.lastSeen > 3 * this.heartbeatMs) this.end(peer, `heartbeat timeout (${now - peer.lastSeen} ms silent)`);
      else peer.socket.write(encodeLine({ type: 'heartbeat', t: now }));
    }
  }
}
