import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { WorkbenchState } from '../../ui/src/core/state.ts';
import type { ConnectionStatus } from '../../ui/src/core/connection.ts';

const root = new URL('../..', import.meta.url).pathname;
/** The real server; the variable exists only to try a development build of it. */
const ENTRY = process.env.TRADELOOM_E2E_SERVER ?? 'engine/cli/start.ts';

/** Debian's Chromium, headless; nothing is ever downloaded. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface EngineServer {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly process: ChildProcess;
  /** Everything the server printed, for failure messages. */
  output(): string;
  /** Stops the process with `signal` and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface EngineServerOptions {
  readonly port?: number;
  readonly dataDir?: string;
  readonly speed?: number;
  readonly extraArgs?: readonly string[];
  /** Extra environment for the server process (e.g. TRADELOOM_TOKEN). */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Starts the real server (`engine/cli/start.ts`) on an ephemeral port (or `port`, to come back
 * on the same one after a restart) and waits for its `listening on http://...` line.
 */
export async function startEngineServer(options: EngineServerOptions = {}): Promise<EngineServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tradeloom-e2e-'));
  const args = ['--import', 'tsx', ENTRY, '--port', String(options.port ?? 0), '--data-dir', dataDir];
  if (options.speed !== undefined) args.push('--speed', String(options.speed));
  args.push(...(options.extraArgs ?? []));
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not report listening within 60 s:\n${out}`)), 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ''));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${out}`));
    });
  });
  child.stdout!.on('data', () => undefined);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    port: Number(new URL(url).port),
    dataDir,
    process: child,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Reads the workbench's state (the same object the views draw) inside the page. */
export function pageState<T>(page: Page, pick: (state: WorkbenchState) => T): Promise<T> {
  return page.evaluate(`(${pick.toString()})(window.__tradeloom.state())`) as Promise<T>;
}

export function pageConnection(page: Page): Promise<ConnectionStatus> {
  return page.evaluate('window.__tradeloom.connection()') as Promise<ConnectionStatus>;
}

/** Polls `check` inside Node until it returns a truthy value or the time is up. */
/**
 * The status bar's connection text while it shows "offline", read together with the phase in the
 * page: the next reconnect attempt (phase "connecting") may start between two separate reads.
 */
export async function offlineStatusText(page: Page, timeoutMs = 15_000): Promise<string> {
  const handle = await page.waitForFunction(() => {
    const el = document.querySelector<HTMLElement>('[data-status="connection"]');
    return el?.dataset.phase === 'offline' ? el.innerText : null;
  }, null, { timeout: timeoutMs });
  return (await handle.jsonValue()) as string;
}

export async function waitFor<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

/** Counts the client's messages of each type on every socket the page (or its worker) opens, from now on. */
export function countSent(page: Page): Map<string, number> {
  const counts = new Map<string, number>();
  page.on('websocket', (ws) => ws.on('framesent', (frame) => {
    const type = (JSON.parse(String(frame.payload)) as { type?: string }).type ?? '?';
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }));
  return counts;
}

/** A fresh page at the workbench with a fixed viewport and clean localStorage. */
export async function openWorkbench(browser: Browser, url: string, viewport = { width: 1600, height: 1000 }): Promise<Page> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  collected.set(page, errors);
  // Generous: the suite may share the machine with other heavy jobs.
  await page.goto(url, { timeout: 90_000 });
  await page.waitForFunction('window.__tradeloom !== undefined', undefined, { timeout: 90_000 });
  return page;
}

/** Uncaught page errors collected since `openWorkbench`. */
export function pageErrors(page: Page): string[] {
  return collected.get(page) ?? [];
}

const collected = new WeakMap<Page, string[]>();

/**
 * A bare static file server for `ui/dist`: the page with no monitor server behind it
 * (no socket, no recordings), as when a user opens a recording file offline.
 */
export async function serveStatic(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const { createServer } = await import('node:http');
  const { readFile } = await import('node:fs/promises');
  const { extname, normalize } = await import('node:path');
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(dir)) return void res.writeHead(404).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Runs a command through the command palette, as a user would. */
export async function runFromPalette(page: Page, title: string): Promise<void> {
  await page.keyboard.press('Control+Shift+P');
  const input = page.locator('.quickpick input');
  await input.waitFor();
  await input.fill(title);
  await page.locator('.quickpick li.selected').waitFor();
  await page.keyboard.press('Enter');
}

/**
 * One Chromium and the built UI (`ui/dist`) served statically, for the tests that inject their
 * own events instead of running an engine: registers the suite's before/after hooks.
 */
export function builtWorkbench(suite: { before(fn: () => Promise<void>): void; after(fn: () => Promise<void>): void }) {
  let browser: Browser | undefined;
  let site: Awaited<ReturnType<typeof serveStatic>> | undefined;
  suite.before(async () => {
    browser = await launchBrowser();
    site = await serveStatic(new URL('../../ui/dist', import.meta.url).pathname);
  });
  suite.after(async () => {
    await browser?.close();
    await site?.close();
  });
  return {
    get browser(): Browser { return browser!; },
    get url(): string { return site!.url; },
  };
}
