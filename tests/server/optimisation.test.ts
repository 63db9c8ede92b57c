import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, startEngineServer, type EngineServer } from '../kit/browser.ts';
import { TestClient, type Json } from '../kit/server-kit.ts';

// The real server (`npm start`, paper bot running) and real ws clients: an optimisation started
// over the socket runs on the server's worker pool while the bot's events keep flowing.
let server: EngineServer;
const small = { symbol: 'USDCHF', timeframe: 'H4', strategy: 'sma-crossover', from: '1998-01-01', to: '1999-06-30' };

test.before(async () => {
  server = await startEngineServer();
});

test.after(async () => {
  await server.stop();
  removeDir(server.dataDir);
});

const connect = () => TestClient.connect(`${server.url.replace(/^http/, 'ws')}/ws`, { origin: server.url });
const completeOf = (c: TestClient, id: string, after = 0) => c.next((m) => m.type === 'optimisation_complete' && m.optimisation_id === id, after, 300_000);

test('a grid started over the socket streams progress and every trial row to every client, then the ranked result with PBO/DSR', async () => {
  const [a, b] = [await connect(), await connect()];
  try {
    const reply = await a.request({ type: 'start_optimisation', ...small, ranges: { fast: '4:12:4', slow: '20,40' }, objective: 'sharpe', request_id: 's1' }, 'command_result');
    assert.ok(reply.ok, reply.reason);
    assert.is(reply.data.combinations, 6);
    const id = reply.data.optimisation_id as string;
    // The server still answers while the pool works.
    assert.is((await a.request({ type: 'ping', request_id: 'p' }, 'pong')).request_id, 'p');
    const complete = await completeOf(b, id);
    assert.is(complete.stopped, false);
    assert.is(complete.done, 6);
    const progress = b.received.filter((m) => m.type === 'optimisation_progress' && m.optimisation_id === id);
    assert.ok(progress.length > 0, JSON.stringify(complete).slice(0, 500));
    const rows: Json[] = progress.flatMap((m) => m.rows);
    assert.is(rows.length, 6, 'each finished trial row once');
    assert.is(progress[progress.length - 1].done, 6);
    assert.ok(progress.every((m) => m.planned === 6 && m.trials_per_second >= 0));
    const recording = complete.recording;
    assert.is(recording.trials.length, 6);
    assert.equal(new Set(recording.trials.map((t: Json) => t.id)), new Set(rows.map((r) => r.id)));
    const sharpe = recording.trials.map((t: Json) => t.metrics.sharpe);
    assert.equal(sharpe, [...sharpe].sort((x: number, y: number) => y - x), 'ranked by the objective');
    assert.match(recording.overfitting.dsr.reading, /after 6 trials/);
    // Ratios and probabilities to four decimals (reviewer: 0.48970839775910685 went out).
    const fourDecimals = (x: number) => Math.round(x * 10_000) / 10_000 === x;
    const { dsr, pbo } = recording.overfitting;
    for (const [name, x] of Object.entries({ 'dsr.value': dsr.value, 'dsr.sharpe': dsr.sharpe, 'dsr.benchmark': dsr.benchmark, 'pbo.value': pbo?.value ?? 0, 'pbo.probabilityOfLoss': pbo?.probabilityOfLoss ?? 0 })) {
      assert.ok(fourDecimals(x), `${name} ${x} has at most four decimals`);
    }
    // Written where npm run optimize writes, and listed for the workbench.
    assert.ok(existsSync(join(server.dataDir, 'optimisations', id, 'optimisation.json')));
    const list = await a.request({ type: 'list_optimisations', request_id: 'l' }, 'command_result');
    assert.ok(list.data.optimisations.some((o: Json) => o.name === id));
    const got = await a.request({ type: 'get_optimisation', name: id, request_id: 'g' }, 'command_result');
    assert.is(got.data.recording.trials.length, 6);
    // A trial again as a full backtest: its events stream like any backtest's.
    const best = recording.trials[0];
    const mark = a.received.length;
    const run = await a.request({ type: 'run_trial_backtest', optimisation_id: id, trial_id: best.id, request_id: 't' }, 'command_result');
    assert.ok(run.ok, run.reason);
    const done = await a.next((m) => m.event_type === 'BACKTEST_COMPLETE' && m.data.session_id === run.data.session_id, mark, 60_000);
    assert.is(done.data.total_return, best.metrics.netProfit, 'the report shows the trial\'s own result');
    assert.is(done.data.params.USDCHF.fast, best.params.fast);
  } finally {
    await a.close();
    await b.close();
  }
});

test('cancel stops the search: the finished rows are kept and recorded, and a new search may start', async () => {
  const c = await connect();
  try {
    const reply = await c.request({ type: 'start_optimisation', ...small, ranges: { fast: '2:60:1', slow: '61:100:1' }, request_id: 'big' }, 'command_result');
    assert.ok(reply.ok, reply.reason);
    const id = reply.data.optimisation_id as string;
    const busy = await c.request({ type: 'start_optimisation', ...small, ranges: { fast: '5,10' }, request_id: 'again' }, 'command_result');
    assert.is(busy.ok, false);
    assert.match(busy.reason, /is running; cancel it first/);
    await c.next((m) => m.type === 'optimisation_progress' && m.optimisation_id === id && m.rows.length > 0, 0, 120_000);
    const cancel = await c.request({ type: 'cancel_optimisation', optimisation_id: id, request_id: 'x' }, 'command_result');
    assert.ok(cancel.ok, cancel.reason);
    const complete = await completeOf(c, id);
    assert.is(complete.stopped, true);
    assert.ok(complete.done > 0 && complete.done < 59 * 40, `${complete.done} done`);
    const rows = c.received.filter((m) => m.type === 'optimisation_progress' && m.optimisation_id === id).flatMap((m) => m.rows);
    assert.is(rows.length, complete.done);
    assert.is(complete.recording.trials.length, complete.done, 'the finished trials are kept');
    assert.ok(existsSync(join(server.dataDir, 'optimisations', id, 'optimisation.json')));
    const next = await c.request({ type: 'start_optimisation', ...small, ranges: { fast: '5,10' }, request_id: 'after' }, 'command_result');
    assert.ok(next.ok, next.reason);
    await completeOf(c, next.data.optimisation_id);
  } finally {
    await c.close();
  }
});

test('bad ranges, unknown parameters and bad settings are refused with an error naming the field; nothing starts', async () => {
  const c = await connect();
  try {
    const cases: [Json, RegExp][] = [
      [{ ranges: { fast: '50:5:1' } }, /^ranges\.fast: the range ends \(5\) before it starts \(50\)/],
      [{ ranges: { fast: '5:50:0' } }, /^ranges\.fast: step must be positive/],
      [{ ranges: { fats: '5:50:5' } }, /^ranges\.fats: "sma-crossover" has no parameter "fats"/],
      [{ ranges: { fast: '5,-2' } }, /^ranges\.fast \(-2\): .*expected positive integer/],
      [{ ranges: {} }, /^ranges: name at least one parameter/],
      [{ ranges: { fast: '5,10' }, objective: 'money' }, /^objective: "money": not one of/],
      [{ ranges: { fast: '5,10' }, constraints: ['fast<slwo'] }, /^constraints: "fast<slwo": unknown parameter "slwo"/],
      [{ ranges: { fast: '5,10' }, walk_forward: 'sideways:1:1' }, /^walk_forward: "sideways:1:1": expected rolling:IS:OOS/],
    ];
    for (const [extra, reason] of cases) {
      const reply = await c.request({ type: 'start_optimisation', ...small, ...extra, request_id: 'bad' }, 'command_result');
      assert.is(reply.ok, false, JSON.stringify(extra));
      assert.match(reply.reason, reason, reply.reason);
    }
    const shape = await c.request({ type: 'start_optimisation', ranges: { fast: 5 }, request_id: 'shape' }, 'error');
    assert.match(shape.details.join(' '), /ranges/);
    const unknown = await c.request({ type: 'cancel_optimisation', optimisation_id: 'nothing-here', request_id: 'n' }, 'command_result');
    assert.is(unknown.ok, false);
    assert.match(unknown.reason, /no optimisation "nothing-here" is running/);
  } finally {
    await c.close();
  }
});

test('a grid over more combinations than a search runs is refused at once, naming the ranges and the limit, and other clients are answered meanwhile (reviewer: one start_optimisation froze the server)', async () => {
  const [a, b] = [await connect(), await connect()];
  try {
    // Each axis within its own cap of 1,000,000 values; their product (10^12) is what the old code scanned on the main loop.
    const mark = a.received.length;
    a.send({ type: 'start_optimisation', ...small, to: '1998-01-31', ranges: { fast: '1:1000000:1', slow: '1:1000000:1' }, request_id: 'huge' });
    const pong = await b.request({ type: 'ping', request_id: 'other' }, 'pong').catch((err): never => {
      throw new Error(`the other client's ping got no pong: ${(err as Error).message}`);
    });
    assert.is(pong.request_id, 'other');
    const reply = await a.next((m) => m.type === 'command_result' && m.request_id === 'huge', mark, 20_000)
      .catch((err): never => {
        throw new Error(`start_optimisation got no reply: ${(err as Error).message}`);
      });
    assert.is(reply.ok, false);
    assert.match(reply.reason, /^ranges fast \(1:1000000:1\), slow \(1:1000000:1\): a grid of 1,000,000 x 1,000,000 = 1,000,000,000,000 combinations is more than a grid search runs \(1,000,000\); use method "random" or "genetic" with trials, or coarser steps/);
    const mid = await a.request({ type: 'start_optimisation', ...small, to: '1998-01-31', ranges: { fast: '1:3000:1', slow: '1:3000:1' }, request_id: 'mid' }, 'command_result');
    assert.is(mid.ok, false);
    assert.match(mid.reason, /9,000,000 combinations is more than a grid search runs \(1,000,000\)/);
    const trials = await a.request({ type: 'start_optimisation', ...small, ranges: { fast: '5,10' }, method: 'random', trials: 5_000_000, request_id: 't' }, 'command_result');
    assert.is(trials.ok, false);
    assert.match(trials.reason, /^trials: 5000000 is more than a search runs \(1,000,000\)/);
    // A random search over the same huge space draws its trials without a scan: started, planned, cancelled.
    const random = await a.request({ type: 'start_optimisation', ...small, to: '1998-01-31', ranges: { fast: '1:1000000:1', slow: '1:1000000:1' }, method: 'random', trials: 20, request_id: 'r' }, 'command_result');
    assert.ok(random.ok, random.reason);
    assert.is((await b.request({ type: 'ping', request_id: 'again' }, 'pong')).request_id, 'again');
    const id = random.data.optimisation_id as string;
    a.send({ type: 'cancel_optimisation', optimisation_id: id });
    const complete = await completeOf(a, id);
    assert.ok(complete.planned <= 20, `${complete.planned} planned`);
  } finally {
    await a.close();
    await b.close();
  }
});

test.run();
