import { firstValueFrom, filter, timeout } from 'rxjs';
import { Mt5BridgeBroker, type Mt5BridgeBrokerOptions } from '../../../engine/broker/mt5-bridge/mt5-bridge-broker.ts';
import { FakeEa, type FakeEaOptions } from '../../kit/fake-ea.ts';
import { FakeTerminal } from '../../kit/fake-terminal.ts';
import type { BrokerHarness } from '../broker-contract.ts';

export const SECRET = 'test-secret-4f9a-0123456789abcdef';

export interface BridgeRig extends BrokerHarness {
  readonly broker: Mt5BridgeBroker;
  readonly terminal: FakeTerminal;
  readonly ea: FakeEa;
  readonly problems: string[];
  /** Waits (bounded) until isConnected() equals `up`. */
  connection(up: boolean): Promise<void>;
}

/** A bridge broker on an ephemeral loopback port with a fake EA connected and authenticated. */
export async function bridgeRig(ea: Partial<FakeEaOptions> = {}, broker: Partial<Mt5BridgeBrokerOptions> = {}): Promise<BridgeRig> {
  const terminal = ea.terminal ?? new FakeTerminal();
  const options = { secret: SECRET, port: 0, heartbeatMs: 250, requestTimeoutMs: 3_000, reconnectWindowMs: 3_000, ...broker };
  const b = await Mt5BridgeBroker.listen(options);
  const problems: string[] = [];
  b.problems$.subscribe((p) => problems.push(p));
  const fake = new FakeEa({ port: b.port, secret: SECRET, terminal, ...ea });
  await fake.connect();
  await b.waitConnected(3_000);
  return {
    broker: b, terminal, ea: fake, problems,
    setQuote: (symbol, time, bid, ask) => fake.tick(symbol, time, bid, ask),
    rejectNext: (retcode) => terminal.rejectNext(retcode),
    seedHistory: (count, beforeMs) => terminal.seedHistory(count, beforeMs),
    // Longer than requestTimeoutMs, shorter than the heartbeat timeout: the EA is blocked in OrderSend meanwhile.
    lateNextFill: () => { fake.slowNextExecutionMs = Math.min(options.requestTimeoutMs + 200, 3 * options.heartbeatMs - 100); },
    restart: async () => { await fake.restart(); await b.waitConnected(3_000); },
    connection: (up) => firstValueFrom(b.connection$.pipe(filter((v) => v === up), timeout(5_000))).then(() => undefined),
    dispose: async () => {
      fake.disconnect();
      await b.close();
    },
  };
}
