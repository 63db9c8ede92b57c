// Benchmark, not a test: floods the workbench in headless Chromium with 2,000 events/s for
// 30 s through the real monitor server and reports the p95 frame time (target < 16 ms) and the
// JS heap growth (target flat). Run: `node --import tsx tests/bench/ui-flood.ts [seconds] [rate]`.
// UI_FLOOD_VIEW=none|log|symbol|trades picks what is open (trades: the Trades tables, Ctrl+Alt+L); UI_FLOOD_PROFILE=1 prints a per-function
// profile, UI_FLOOD_TRACE=1 the page thread's time by trace event. Frames are timed by
// requestAnimationFrame, so at 60 Hz one frame is 16.7 ms: that is the floor of every percentile.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { formatSeconds } from '../../protocol/index.ts';
import { launchBrowser, openWorkbench, pageState, waitFor } from '../kit/browser.ts';
import { startTestServer } from '../kit/server-kit.ts';

const root = new URL('../..', import.meta.url).pathname;

interface FrameStats {
  frames: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  over20: number;
}

export async function main(seconds = Number(process.argv[2] ?? 30), rate = Number(process.argv[3] ?? 2000)): Promise<void> {
  // UI_FLOOD_DIST=<dir>: another build of the page (a copy of an older ui/dist) to compare against.
  const uiDir = process.env.UI_FLOOD_DIST ?? join(root, 'ui/dist');
  if (!existsSync(join(uiDir, 'index.html'))) throw new Error('ui/dist is missing: run `npm run build` first');
  // A generous rate limit and send buffer: this measures the page, not the server's shedding.
  const server = await startTestServer({ uiDir } as never);
  const browser = await launchBrowser();
  try {
    const page = await openWorkbench(browser, `${server.httpUrl}/`);
    await waitFor('connected', async () => (await page.evaluate('window.__tradeloom.connection().phase')) === 'open');
    server.bot.start();
    server.bot.init();
    // The busiest views open: a symbol editor (chart + diagram) and the log panel.
    const view = process.env.UI_FLOOD_VIEW ?? 'symbol';
    if (view === 'symbol') await page.click('[data-symbol="USDCHF"] .row').catch(() => undefined);
    if (view === 'none') await page.evaluate(`document.querySelector('[aria-label="Hide panel"]')?.click()`);
    if (view === 'trades') {
      await page.keyboard.press('Control+Alt+L');
      await page.locator('[data-editor-type="dashboard:trades"]').waitFor();
    }
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await cdp.send('HeapProfiler.collectGarbage');
    const heapBefore = await heapUsed(cdp);

    const profile = process.env.UI_FLOOD_PROFILE === '1';
    if (profile) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    // UI_FLOOD_TRACE=1: the page thread's time by trace event (layout, paint, script, ...).
    const trace = process.env.UI_FLOOD_TRACE === '1' ? startTrace(cdp as unknown as TraceSession) : undefined;
    await page.evaluate(`(() => {
      const times = []; let last = performance.now();
      const loop = (t) => { times.push(t - last); last = t; if (!window.__stopFrames) requestAnimationFrame(loop); };
      requestAnimationFrame(loop);
      window.__frameTimes = times;
    })()`);

    const bot = server.bot;
    const symbols = ['USDCHF', 'EURUSD'];
    let n = 0;
    let barTime = Date.UTC(2024, 0, 1);
    const started = Date.now();
    let heapMid: number | undefined;
    const tickMs = 10;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const due = Math.floor(((Date.now() - started) / 1000) * rate) - n;
        for (let i = 0; i < due; i++, n++) {
          const symbol = symbols[n % 2];
          const kind = n % 50;
          if (kind === 0) bot.entry(symbol, 0.9 + (n % 100) / 10_000);
          else if (kind === 25) {
            try { bot.exit(symbol); } catch { bot.bar(symbol, barTime); }
          } else if (kind % 10 === 3) bot.emit('DECISION', 'INFO', { symbol, decision: 'rl_action', reason: 'policy prefers hold', trades_this_week: 3, max_trades: 10, aggression_multiplier: 1, action: 'hold', action_values: { buy: 0.1, sell: 0.2, hold: 0.7 } });
          else if (kind % 10 === 7) bot.emit('STATE_TRANSITION', 'INFO', { symbol, from: 'scanning', to: 'scanning', event: 'SIGNAL', cause: 'signal', time: formatSeconds(barTime) });
          else {
            if (symbol === 'USDCHF') barTime += 1_800_000;
            bot.emit('BAR', 'DEBUG', { symbol, timeframe: 'M30', time: formatSeconds(barTime), open: 0.9, high: 0.91, low: 0.89, close: 0.9 + (n % 37) / 10_000 });
          }
        }
        if (heapMid === undefined && Date.now() - started >= (seconds * 1000) / 3) {
          heapMid = Number.NaN;
          // After the bounded buffers have filled: growth from here on would be a leak.
          void cdp.send('HeapProfiler.collectGarbage').then(() => heapUsed(cdp)).then((v) => (heapMid = v));
        }
        if (Date.now() - started >= seconds * 1000) {
          clearInterval(timer);
          resolve();
        }
      }, tickMs);
    });
    await page.evaluate('window.__stopFrames = true');
    if (profile) printProfile(((await cdp.send('Profiler.stop')) as { profile: CpuProfile }).profile);
    if (trace) printTrace(await trace(), seconds);
    const frames = (await page.evaluate('window.__frameTimes')) as number[];
    await new Promise((r) => setTimeout(r, 500));
    await cdp.send('HeapProfiler.collectGarbage');
    const heapAfter = await heapUsed(cdp);
    const received = await pageState(page, (s) => ({ seen: s.eventsSeen, log: s.log.length }));
    const stats = frameStats(frames.slice(5));
    console.log(`ui-flood: ${n} events in ${seconds} s (${(n / seconds).toFixed(0)}/s sent), page folded ${received.seen}, log kept ${received.log}`);
    console.log(`frames: ${stats.frames}  p50 ${stats.p50.toFixed(1)} ms  p95 ${stats.p95.toFixed(1)} ms  p99 ${stats.p99.toFixed(1)} ms  max ${stats.max.toFixed(1)} ms  over 20 ms: ${stats.over20}`);
    console.log(`p95 frame time ${stats.p95.toFixed(1)} ms vs target 16 ms: ${stats.p95 < 16 ? 'within target' : 'OVER target'}`);
    const mb = (v: number | undefined) => ((v ?? Number.NaN) / 1e6).toFixed(1);
    console.log(`JS heap after GC: start ${mb(heapBefore)} MB, at ${(seconds / 3).toFixed(0)} s ${mb(heapMid)} MB, end ${mb(heapAfter)} MB (growth over the last two thirds ${mb(heapAfter - (heapMid ?? Number.NaN))} MB)`);
  } finally {
    await browser.close();
    await server.close();
  }
}

async function heapUsed(cdp: { send(method: 'Performance.getMetrics'): Promise<{ metrics: { name: string; value: number }[] }> }): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? Number.NaN;
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  samples: number[];
  timeDeltas: number[];
}

/** Top functions by self time: where a slow frame goes (UI_FLOOD_PROFILE=1). */
function printProfile(profile: CpuProfile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  for (const [key, ms] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${((ms / total) * 100).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(6)} ms  ${key}`);
}

interface TraceEvent { name: string; ph: string; pid: number; tid: number; dur?: number; args?: { name?: string } }
interface TraceSession {
  send(method: string, params?: object): Promise<unknown>;
  on(event: string, listener: (payload: { value?: TraceEvent[] }) => void): void;
}

/** Starts a timeline trace; the returned function stops it and resolves with its events. */
function startTrace(cdp: TraceSession): () => Promise<TraceEvent[]> {
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (p) => events.push(...(p.value ?? [])));
  const started = cdp.send('Tracing.start', { categories: 'devtools.timeline,v8.execute,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
  return async () => {
    await started;
    const done = new Promise<void>((resolve) => cdp.on('Tracing.tracingComplete', () => resolve()));
    await cdp.send('Tracing.end');
    await done;
    return events;
  };
}

/** Busy time of the page's main thread by event name, and how many of its tasks overran a frame. */
function printTrace(events: TraceEvent[], seconds: number): void {
  const mains = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const count = (m: TraceEvent) => events.filter((e) => e.pid === m.pid && e.tid === m.tid && e.ph === 'X').length;
  const main = mains.sort((a, b) => count(b) - count(a))[0];
  if (!main) return void console.log('trace: no renderer main thread found');
  const byName = new Map<string, { ms: number; n: number }>();
  let long = 0;
  for (const e of events) {
    if (e.pid !== main.pid || e.tid !== main.tid || e.ph !== 'X' || e.dur === undefined) continue;
    const s = byName.get(e.name) ?? { ms: 0, n: 0 };
    s.ms += e.dur / 1000;
    s.n++;
    byName.set(e.name, s);
    if (e.name === 'RunTask' && e.dur > 16_000) long++;
  }
  console.log(`trace: page main thread, ${long} tasks over 16 ms; total (inclusive) ms per second of flood by event:`);
  for (const [name, s] of [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 22)) console.log(`${(s.ms / seconds).toFixed(1).padStart(7)} ms/s  ${String(s.n).padStart(7)}x  ${name}`);
}

function frameStats(times: number[]): FrameStats {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { frames: times.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1] ?? Number.NaN, over20: times.filter((t) => t > 20).length };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
