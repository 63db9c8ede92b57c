import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EventFactory } from '../../../engine/actor/event-factory.ts';

const H = 3_600_000;
const T = Date.UTC(2024, 0, 8, 10);
const status = { running: true, connected: true, broker: 'sim', reason: 'test' };

test('an event learnt after a later one is stamped when learnt: the log never goes back', () => {
  let clock = T + 4 * H;
  const f = new EventFactory('s', () => clock);
  assert.is(f.make('BOT_STATUS', 'INFO', status, T + 3 * H).timestamp, '2024-01-08T13:00:00.000000');
  // A fill at the open of a bar that closes now, learnt after the event above.
  assert.is(f.make('BOT_STATUS', 'INFO', status, T).timestamp, '2024-01-08T13:00:00.000000');
  clock = T + 5 * H;
  assert.is(f.make('BOT_STATUS', 'INFO', status).timestamp, '2024-01-08T15:00:00.000000');
});

test('an event dated ahead of the session clock (a broker\'s deal in its server\'s time zone) does not drag later events forward', () => {
  const now = T;
  const f = new EventFactory('s', () => now);
  // Three hours ahead: that event keeps its own time...
  assert.is(f.make('BOT_STATUS', 'INFO', status, T + 3 * H).timestamp, '2024-01-08T13:00:00.000000');
  // ...and the next one is stamped with the clock, not three hours ahead.
  assert.is(f.make('BOT_STATUS', 'INFO', status).timestamp, '2024-01-08T10:00:00.000000');
});

test.run();
