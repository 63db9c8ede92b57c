import type { SequencedEvent } from '../journal/journal.ts';
import type { JournalHealth } from '../journal/journal-health.ts';
import type { SendBudget } from './send-budget.ts';

const WINDOW_S = 10;

/** Counters behind `GET /metrics`, rendered in the Prometheus text format. */
export class ServerMetrics {
  connections = 0;
  connectionsTotal = 0;
  eventsTotal = 0;
  /** DEBUG frames shed for slow clients. */
  shedTotal = 0;
  /** Frames discarded when a slow consumer was disconnected (it was told, and can resume). */
  slowDroppedTotal = 0;
  slowConsumersTotal = 0;
  tradeEntries = 0;
  tradeExits = 0;
  messagesReceived = 0;
  sinkErrors = 0;
  readonly refused = new Map<string, number>();
  /** The journal's state, exported as tradeloom_journal_*. */
  journal: JournalHealth | null = null;
  /** What all clients hold waiting, exported as tradeloom_ws_buffered_bytes and tradeloom_send_budget_*. */
  sendBudget: SendBudget | null = null;
  private readonly buckets = new Array<number>(WINDOW_S).fill(0);
  private bucketSecond = 0;

  constructor(private readonly now: () => number = Date.now) {}

  onEvent(event: SequencedEvent): void {
    this.eventsTotal++;
    if (event.event_type === 'TRADE_ENTRY') this.tradeEntries++;
    else if (event.event_type === 'TRADE_EXIT') this.tradeExits++;
    this.advance();
    this.buckets[this.bucketSecond % WINDOW_S]++;
  }

  refuse(code: string): void {
    this.refused.set(code, (this.refused.get(code) ?? 0) + 1);
  }

  /** Mean events per second over the last nine whole seconds (the current one is still filling). */
  eventsPerSecond(): number {
    this.advance();
    let sum = 0;
    for (let i = 1; i < WINDOW_S; i++) sum += this.buckets[(this.bucketSecond - i + WINDOW_S * 2) % WINDOW_S];
    return sum / (WINDOW_S - 1);
  }

  private advance(): void {
    const second = Math.floor(this.now() / 1000);
    if (this.bucketSecond === 0) this.bucketSecond = second;
    // Clear the buckets of the seconds that passed without events.
    for (let s = this.bucketSecond + 1; s <= second && s - this.bucketSecond <= WINDOW_S; s++) this.buckets[s % WINDOW_S] = 0;
    if (second > this.bucketSecond) this.bucketSecond = second;
  }

  render(): string {
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, samples: [string, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
    };
    metric('tradeloom_ws_connections', 'gauge', 'Open WebSocket connections.', [['', this.connections]]);
    metric('tradeloom_ws_connections_total', 'counter', 'WebSocket connections accepted.', [['', this.connectionsTotal]]);
    metric('tradeloom_events_total', 'counter', 'Events broadcast.', [['', this.eventsTotal]]);
    metric('tradeloom_events_per_second', 'gauge', 'Events broadcast per second, mean of the last 10 s.', [['', round(this.eventsPerSecond())]]);
    metric('tradeloom_messages_dropped_total', 'counter', 'Outbound messages not delivered to a client.', [
      ['{reason="debug_shed"}', this.shedTotal],
      ['{reason="slow_consumer"}', this.slowDroppedTotal],
    ]);
    metric('tradeloom_slow_consumers_total', 'counter', 'Clients disconnected for not keeping up.', [['', this.slowConsumersTotal]]);
    const budget = this.sendBudget;
    if (budget) {
      const clientBytes = budget.clientBytes;
      metric('tradeloom_ws_buffered_bytes', 'gauge', 'Bytes waiting to be sent to WebSocket clients: send queues and socket buffers, a message shared by several clients counted once.', [['', clientBytes]]);
      metric('tradeloom_send_budget_used_bytes', 'gauge', 'What the send budget holds to: tradeloom_ws_buffered_bytes plus the events held while the journal cannot write.', [['', budget.usedBytes]]);
      metric('tradeloom_send_budget_bytes', 'gauge', 'The send budget (server.sendQueue.totalBytes): past it the clients holding the most are disconnected.', [['', budget.budgetBytes]]);
      metric('tradeloom_send_budget_disconnects_total', 'counter', 'Clients disconnected to stay under the send budget: closed 4000 (slow_consumer), or cut off when already closing.', [
        ['{how="slow_consumer"}', budget.closedTotal],
        ['{how="terminated"}', budget.terminatedTotal],
      ]);
    }
    metric('tradeloom_trades_total', 'counter', 'Trade events broadcast.', [
      ['{kind="entry"}', this.tradeEntries],
      ['{kind="exit"}', this.tradeExits],
    ]);
    metric('tradeloom_ws_messages_received_total', 'counter', 'Client messages received.', [['', this.messagesReceived]]);
    metric('tradeloom_ws_messages_refused_total', 'counter', 'Client messages answered with an error, by code.', [...this.refused].map(([code, n]) => [`{code="${code}"}`, n]));
    metric('tradeloom_sink_errors_total', 'counter', 'Recorder write failures.', [['', this.sinkErrors]]);
    const j = this.journal;
    if (j) {
      metric('tradeloom_journal_ok', 'gauge', '1 while the journal takes writes; 0 while it fails (no new positions, events held).', [['', j.ok ? 1 : 0]]);
      metric('tradeloom_journal_failures_total', 'counter', 'Times the journal stopped taking writes.', [['', j.failuresTotal]]);
      metric('tradeloom_journal_recoveries_total', 'counter', 'Times the journal took writes again and the held events went out.', [['', j.recoveriesTotal]]);
      metric('tradeloom_journal_held_events', 'gauge', 'Events waiting, unsent, for the journal.', [['', j.heldEvents]]);
      metric('tradeloom_journal_held_bytes', 'gauge', 'Bytes of the events waiting for the journal.', [['', j.heldBytes]]);
      metric('tradeloom_journal_dropped_total', 'counter', 'BAR and backtest events not held past the hold budget.', [['', j.droppedTotal]]);
    }
    return `${lines.join('\n')}\n`;
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
