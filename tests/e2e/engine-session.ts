import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import { launchBrowser, openWorkbench, pageConnection, removeDir, startEngineServer, waitFor, type EngineServer, type EngineServerOptions } from '../kit/browser.ts';
import { startWsProxy, type WsProxy } from '../kit/ws-proxy.ts';

/** A reference client speaking the protocol directly: what the engine itself reports. */
export class ProtocolClient {
  private constructor(private readonly ws: WebSocket, readonly received: Record<string, any>[]) {}

  static async connect(httpUrl: string): Promise<ProtocolClient> {
    const ws = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}/ws`, { origin: httpUrl });
    const received: Record<string, any>[] = [];
    ws.on('message', (data) => received.push(JSON.parse(data.toString())));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new ProtocolClient(ws, received);
  }

  /** Sends and waits for the reply that echoes our request id. */
  async request(message: Record<string, unknown>, timeoutMs = 10_000): Promise<Record<string, any>> {
    const id = `ref-${Math.random().toString(36).slice(2)}`;
    this.ws.send(JSON.stringify({ ...message, request_id: id }));
    return waitFor(`a reply to ${String(message.type)}`, async () => this.received.find((m) => m.request_id === id), timeoutMs);
  }

  status(): Promise<Record<string, any>> {
    return this.request({ type: 'request_status' });
  }

  close(): void {
    this.ws.close();
  }
}

export interface EngineSession {
  browser: Browser;
  server: EngineServer;
  page: Page;
}

/** Starts the real server and a browser on it; tears both down (and the temp dir) afterwards. */
export function withEngine<T>(options: EngineServerOptions, run: (session: EngineSession) => Promise<T>): Promise<T> {
  return engineSession(options, async (browser, server) => ({ browser, server, page: await openWorkbench(browser, server.url) }), run);
}

/**
 * One real server and one Chromium for all the tests of a file whose tests do not need a fresh
 * engine (each still gets a fresh page in its own browser context, closed after it): registers the
 * suite's before/after hooks. `withPage` runs a test as `withEngine` does, on that server.
 */
export function sharedEngine(suite: { before(fn: () => Promise<void>): void; after(fn: () => Promise<void>): void }, options: EngineServerOptions = {}) {
  let browser: Browser | undefined;
  let server: EngineServer | undefined;
  suite.before(async () => {
    browser = await launchBrowser();
    server = await startEngineServer(options);
  });
  suite.after(async () => {
    await browser?.close();
    if (server) {
      await server.stop();
      if (!options.dataDir) removeDir(server.dataDir);
    }
  });
  return {
    get server(): EngineServer { return server!; },
    async withPage<T>(run: (session: EngineSession) => Promise<T>): Promise<T> {
      const page = await openWorkbench(browser!, server!.url);
      try {
        await waitFor('the page to connect', async () => (await pageConnection(page)).phase === 'open');
        return await run({ browser: browser!, server: server!, page });
      } finally {
        await page.context().close();
      }
    },
  };
}

export interface ProxiedEngineSession extends EngineSession {
  proxy: WsProxy;
}

/**
 * As `withEngine`, with the page opened at a `WsProxy` in front of the server: the test sees
 * what the page's worker and the server say to each other, and can hold the server's answers back.
 */
export function withEngineBehindProxy<T>(options: EngineServerOptions, run: (session: ProxiedEngineSession) => Promise<T>): Promise<T> {
  let proxy: WsProxy | undefined;
  return engineSession(options, async (browser, server) => {
    proxy = await startWsProxy(server.url);
    return { browser, server, proxy, page: await openWorkbench(browser, proxy.url) };
  }, run, () => proxy?.close());
}

async function engineSession<S extends EngineSession, T>(
  options: EngineServerOptions,
  open: (browser: Browser, server: EngineServer) => Promise<S>,
  run: (session: S) => Promise<T>,
  /** Closes what stands between the browser and the server (after the one, before the other). */
  between?: () => Promise<void> | undefined,
): Promise<T> {
  const browser = await launchBrowser();
  let server: EngineServer | undefined;
  try {
    server = await startEngineServer(options);
    const session = await open(browser, server);
    await waitFor('the page to connect', async () => (await pageConnection(session.page)).phase === 'open');
    return await run(session);
  } finally {
    await browser.close();
    await between?.();
    if (server) {
      await server.stop();
      if (!options.dataDir) removeDir(server.dataDir);
    }
  }
}
