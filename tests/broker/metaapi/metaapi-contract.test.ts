import { suite } from 'uvu';
import { filter, firstValueFrom, skip, timeout } from 'rxjs';
import { MetaApiBroker } from '../../../engine/broker/metaapi/metaapi-broker.ts';
import { FakeMetaApi } from '../../kit/fake-metaapi.ts';
import { FakeTerminal } from '../../kit/fake-terminal.ts';
import { brokerContract } from '../broker-contract.ts';

// The contract twice: with times as the SDK hands them out (Date) and as raw packets carry them (ISO-8601 strings).
for (const isoTimes of [false, true]) {
  const s = suite(`metaapi (${isoTimes ? 'ISO-string times' : 'Date times'})`);
  brokerContract(s, async () => {
    const fake = new FakeMetaApi(new FakeTerminal(), { isoTimes });
    const broker = await MetaApiBroker.connect(fake.opener, { symbols: ['EURUSD', 'USDJPY'] });
    return {
      broker,
      setQuote: (symbol, time, bid, ask) => fake.price(symbol, time, bid, ask),
      rejectNext: (retcode) => fake.terminal.rejectNext(retcode),
      seedHistory: (count, beforeMs) => fake.terminal.seedHistory(count, beforeMs),
      lateNextFill: () => { fake.lateFillNextMs = 300; },
      restart: async () => {
        const back = firstValueFrom(broker.connection$.pipe(filter((up) => up), skip(1), timeout(5_000)));
        fake.disconnect();
        fake.resynchronise();
        await back;
      },
      dispose: () => broker.close(),
    };
  });
  s.run();
}
