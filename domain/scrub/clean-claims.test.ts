import { describe, expect, it } from 'vitest';
import { ClaimDocument } from '../claim-document';
import { CLEAN_FIXTURES } from './fixtures';
import { ScrubContext, scrubClaim } from './index';

describe('SUB-1 clean-claim suite: realistic pain claims scrub clean', () => {
  for (const [name, build] of Object.entries(CLEAN_FIXTURES)) {
    it(`SUB-1 ${name} is clean`, () => {
      const { claim, context } = build();
      expect(ClaimDocument.safeParse(claim).success).toBe(true);
      if (context) expect(ScrubContext.safeParse(context).success).toBe(true);
      const result = scrubClaim(claim, context);
      expect(result.findings).toEqual([]);
      expect(result.status).toBe('clean');
    });
  }
});
