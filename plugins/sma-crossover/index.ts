export { smaCrossover, SmaCrossoverConfigCodec, type SmaCrossoverConfig } from './sma-crossover.ts';
