import { test } from 'uvu';
import { SimBroker } from '../../engine/broker/sim-broker.ts';
import { BUILTIN_SYMBOL_SPECS } from '../../engine/model/symbol-spec.ts';
import { brokerContract } from './broker-contract.ts';

brokerContract(test, async () => {
  const broker = new SimBroker([BUILTIN_SYMBOL_SPECS.EURUSD!, BUILTIN_SYMBOL_SPECS.USDJPY!], { balance: 10_000, slippagePoints: 0, commissionPerLot: 0 });
  return {
    broker,
    setQuote: (symbol, time, bid, ask) => broker.setQuote(symbol, time, bid, ask),
    dispose: async () => broker.close(),
  };
});

test.run();
