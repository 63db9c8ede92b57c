// Child process for the kill -9 test: records entry/exit pairs into a journal forever and
// prints the seq of every event once `record` has returned (committed).
import { Journal } from '../../engine/journal/journal.ts';
import { FakeBot } from '../kit/fake-bot.ts';

const journal = Journal.open(process.argv[2]);
const bot = new FakeBot();
let seq = journal.lastSeq;
bot.events$.subscribe((event) => {
  journal.record({ ...event, seq: ++seq } as never);
  process.stdout.write(`${seq}\n`);
});
bot.init();
function loop(): void {
  for (let i = 0; i < 20; i++) {
    bot.entry('USDCHF');
    bot.bar('USDCHF', Date.UTC(2024, 0, 15) + seq * 60_000);
    bot.exit('USDCHF');
  }
  setImmediate(loop);
}
loop();
