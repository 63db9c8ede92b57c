import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionGuardOptions {
  /** Open sockets one remote address may hold. */
  readonly maxPerAddress: number;
  /** A socket with no request being answered for this long is closed (not WebSockets). */
  readonly idleMs: number;
  /** Told of every socket closed or refused here, by reason (metrics). */
  readonly onRefused?: (reason: 'connection_cap') => void;
}

/**
 * Keeps one address from taking every file descriptor. Each address may hold
 * `maxPerAddress` sockets; a new socket past that closes the address's oldest *idle* one (no
 * request being answered, not a WebSocket) instead of being refused, so a few hundred idle or
 * slowloris sockets cannot lock out `/healthz` or a new client from the same machine, and
 * only when every socket of the address is busy is the newcomer refused. A socket idle for
 * `idleMs` is closed too.
 *
 * @example
 * const guard = new ConnectionGuard({ maxPerAddress: 128, idleMs: 30_000 });
 * guard.attach(httpServer);
 */
export class ConnectionGuard {
  private readonly byAddress = new Map<string, Set<Socket>>();
  private readonly busy = new WeakMap<Socket, number>();
  private readonly upgraded = new WeakSet<Socket>();
  /** When each socket last started or finished a request (or connected). */
  private readonly lastActive = new WeakMap<Socket, number>();
  private sweeper: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly options: ConnectionGuardOptions) {}

  attach(server: Server): void {
    server.on('connection', (socket: Socket) => this.admit(socket));
    // Node's own header and request timeouts start with a request's first byte; a socket that
    // never sends one is found by this sweep.
    this.sweeper = setInterval(() => this.sweep(), Math.max(50, Math.min(1000, Math.floor(this.options.idleMs / 2))));
    this.sweeper.unref();
    server.once('close', () => this.stop());
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
  }

  /** Sockets held per address right now (tests, metrics). */
  count(address: string): number {
    return this.byAddress.get(address)?.size ?? 0;
  }

  /** A request is being answered on `socket` until the returned function is called. */
  begin(socket: Socket): () => void {
    this.busy.set(socket, (this.busy.get(socket) ?? 0) + 1);
    this.lastActive.set(socket, Date.now());
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.busy.set(socket, (this.busy.get(socket) ?? 1) - 1);
      this.lastActive.set(socket, Date.now());
    };
  }

  /** The socket became a WebSocket: the heartbeat watches it from now on. */
  markUpgraded(socket: Socket): void {
    this.upgraded.add(socket);
  }

  private admit(socket: Socket): void {
    const address = socket.remoteAddress ?? 'unknown';
    let sockets = this.byAddress.get(address);
    if (!sockets) {
      sockets = new Set();
      this.byAddress.set(address, sockets);
    }
    if (sockets.size >= this.options.maxPerAddress) {
      const idle = this.oldestIdle(sockets);
      this.options.onRefused?.('connection_cap');
      if (idle) {
        sockets.delete(idle);
        idle.destroy();
      } else {
        socket.destroy();
        return;
      }
    }
    sockets.add(socket);
    this.lastActive.set(socket, Date.now());
    socket.once('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0 && this.byAddress.get(address) === sockets) this.byAddress.delete(address);
    });
  }

  private sweep(): void {
    const cutoff = Date.now() - this.options.idleMs;
    for (const sockets of this.byAddress.values()) {
      for (const socket of sockets) {
        if (this.isIdle(socket) && (this.lastActive.get(socket) ?? 0) <= cutoff) socket.destroy();
      }
    }
  }

  private isIdle(socket: Socket): boolean {
    return !this.upgraded.has(socket) && !(this.busy.get(socket) ?? 0);
  }

  private oldestIdle(sockets: Set<Socket>): Socket | undefined {
    // A Set iterates in insertion order: the first idle one is the oldest.
    for (const socket of sockets) if (this.isIdle(socket)) return socket;
    return undefined;
  }
}
