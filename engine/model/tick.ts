/** One quote. `time` is epoch milliseconds (UTC). `last` and `volume` are 0 when absent. */
export interface Tick {
  readonly time: number;
  readonly bid: number;
  readonly ask: number;
  readonly last: number;
  readonly volume: number;
}
