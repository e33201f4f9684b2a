/**
 * Runs every file of a folder (default x12/fixtures/public) through the X12 readers and prints,
 * per file, accepted or rejected with the reason class, segment position and reason, then counts.
 * Usage: npm run x12:corpus [-- <dir>]
 */
import path from 'node:path';
import { formatCorpus, runCorpus } from '../x12/corpus';

const dir = process.argv[2] ?? path.join(__dirname, '../x12/fixtures/public');
runCorpus(dir).then(
  (outcomes) => console.log(formatCorpus(outcomes)),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
