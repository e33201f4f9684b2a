/**
 * Every public 5010 file in x12/fixtures/public through the readers (x12/corpus.ts, the same run
 * `npm run x12:corpus` prints): which are accepted, and why the others are rejected. A file that
 * is refused must be refused whole, with its segment position and reason; nothing in this list
 * may flip without the README of the folder saying why.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCorpus } from './corpus';

/** accepted (and, for an 837, whether it maps to the claim model), or the rejection [code, segment, id]. */
const EXPECTED: Record<string, string> = {
  'derived-835-managed-care-bpr16-fixed.835': 'accepted',
  'derived-837p-cob-no-amt-d.837': 'accepted; claim model: CONTENT 32 HI',
  'derived-837p-example9-anesthesia-isa16.837': 'accepted; claim model: CONTENT 21 HI',
  'ims-277ca-accepted.277': 'accepted',
  'ims-277ca-rejected.277': 'accepted',
  'ims-837p-complex.837': 'SYNTAX 28 HI',
  'ims-837p-valid.837': 'SYNTAX 23 HI',
  'ims-999-accepted.999': 'ENVELOPE 10 IEA',
  'ims-999-rejected.999': 'accepted',
  'lfh-835-cob-contractural-adjustment.835': 'SYNTAX 4 BPR',
  'lfh-835-managed-care.835': 'SYNTAX 4 BPR',
  'lfh-835-medicare-part-a.835': 'accepted',
  'lfh-835-secondary-payment.835': 'SYNTAX 4 BPR',
  'lfh-835-tertiary-payment.835': 'SYNTAX 4 BPR',
  'lfh-837i-institutional-claim.837': 'CONTENT 2 GS',
  'lfh-837p-cob-example3a.837': 'LOOP 39 SBR',
  'lfh-837p-example1-line-dates.837': 'accepted; claim model: CONTENT 29 HI',
  'lfh-837p-example11-repriced.837': 'SYNTAX 21 CLM',
  'lfh-837p-example6-chiropractic.837': 'SYNTAX 21 CLM',
  'lfh-837p-example7-dme.837': 'accepted; claim model: CONTENT 21 HI',
  'lfh-837p-example8-wheelchair.837': 'accepted; claim model: CONTENT 23 HI',
  'lfh-837p-example9-anesthesia.837': 'SYNTAX 20 CLM',
  'oopf-837p-5010-example3-cob.837': 'LOOP 40 DMG',
  'oopf-999-dhs-wisconsin-x231.999': 'accepted',
};

describe('public 5010 corpus', () => {
  it('each public file is accepted or rejected as listed (string and streaming 835 readers agree)', async () => {
    const outcomes = await runCorpus(path.join(__dirname, 'fixtures/public'));
    const got = Object.fromEntries(
      outcomes.map((o) => [
        o.file,
        o.accepted
          ? `accepted${o.mapped ? `; claim model: ${o.mapped.code} ${o.mapped.segmentPosition} ${o.mapped.segmentId}` : ''}`
          : `${o.code} ${o.segmentPosition} ${o.segmentId}`,
      ]),
    );
    expect(got).toEqual(EXPECTED);
  });
});
