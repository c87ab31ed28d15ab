/**
 * `npm run test:crash [-- --kills N --seed S --keep-going]`: the kill -9 fuzz (fuzz.ts), 500
 * kills by default, a random seed unless one is given (printed first, to reproduce a failure).
 * Exits 1 when anything acknowledged was lost.
 */
import { parseArgs } from 'node:util';
import { runCrashFuzz, summaryLine } from './fuzz';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '500' },
    seed: { type: 'string' },
    'keep-going': { type: 'boolean', default: false },
  },
});
const kills = Number(values.kills);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!Number.isSafeInteger(kills) || kills < 1)
  throw new Error('--kills must be a positive integer');
if (!Number.isSafeInteger(seed)) throw new Error('--seed must be an integer');

process.stdout.write(`crash fuzz: ${kills} kills, seed ${seed} (--seed ${seed} repeats it)\n`);
const summary = await runCrashFuzz({
  kills,
  seed,
  keepGoing: values['keep-going'],
  log: (line) => process.stdout.write(`${line}\n`),
});
process.stdout.write(`${summaryLine(summary)}\n`);
if (summary.problems.length > 0) {
  process.stdout.write(`problems:\n  ${summary.problems.slice(0, 50).join('\n  ')}\n`);
  process.exitCode = 1;
}
