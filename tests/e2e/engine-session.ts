import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import { launchBrowser, openWorkbench, pageConnection, removeDir, startEngineServer, waitFor, type EngineServer, type EngineServerOptions } from '../kit/browser.ts';

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
export async function withEngine<T>(options: EngineServerOptions, run: (session: EngineSession) => Promise<T>): Promise<T> {
  const browser = await launchBrowser();
  let server: EngineServer | undefined;
  try {
    server = await startEngineServer(options);
    const page = await openWorkbench(browser, server.url);
    await waitFor('the page to connect', async () => (await pageConnection(page)).phase === 'open');
    return await run({ browser, server, page });
  } finally {
    await browser.close();
    if (server) {
      await server.stop();
      if (!options.dataDir) removeDir(server.dataDir);
    }
  }
}
