// Usage: node --import tsx tests/tools/audit-recording.ts FILE.jsonl [--risk 1]
// Prints the audit of a backtest recording (balance chain, timestamps, weekly multipliers,
// stop-loss losses against the risk budget, float noise) as JSON.
import { readFileSync } from 'node:fs';
import { auditRecording } from '../kit/recording-audit.ts';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
const riskAt = args.indexOf('--risk');
const risk = riskAt >= 0 ? Number(args[riskAt + 1]) : 1;
if (!file || !(risk > 0)) {
  console.error('usage: audit-recording FILE.jsonl [--risk PERCENT]');
  process.exit(2);
}
const audit = auditRecording(readFileSync(file, 'utf8').split('\n'), risk);
console.log(JSON.stringify(audit, null, 2));
