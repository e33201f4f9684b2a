/**
 * Practice scope on every /api route (issue 13).
 *
 * The role × practice × route matrix is GENERATED from the app's route table (`app.accessRoutes`,
 * filled as routes register; a route without an access rule stops the app from building): for each
 * route, a token of the other practice gets 404 on a read and 403 naming the practice on a write,
 * a provider token never writes, an admin-only route refuses a biller, and lists hold only the
 * caller's practices. The objects are real: claims (with their SUB-1 work items), appointments,
 * authorizations and providers created through the API in two practices.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, uniqueId, type Harness } from '../test/harness';
import { tfesiClaim } from '../test/fixtures';
import { DEMO_PRACTICE_ID as A, SECOND_PRACTICE_ID as B, SECOND_PRACTICE_PROVIDERS } from '../db/seed';
import { addCalendarDays } from '../domain/business-days';
import { npiCheckDigit } from '../domain/npi';
import { ENTITIES, checkRouteRule, type AccessRoute, type EntityKind } from './access';

let h: Harness;
type Objects = Record<EntityKind, string>;
const objects: Record<string, Objects> = {};
/** Scoped to one practice each: demoBiller (A), northBiller (B); provider (A, read-only). */
const OWN_BILLER = { [A]: 'demoBiller', [B]: 'northBiller' } as const;
const OTHER = { [A]: B, [B]: A } as const;

const today = () => new Date().toISOString().slice(0, 10);
let npiSeq = Math.floor(Math.random() * 1e6);
const freshNpi = () => {
  const nine = `17${String(npiSeq++ % 1e7).padStart(7, '0')}`;
  return `${nine}${npiCheckDigit(nine)}`;
};

async function createObjects(practiceId: string): Promise<Objects> {
  const admin = h.auth('admin');
  const renderingNpi = practiceId === A ? '1234567893' : SECOND_PRACTICE_PROVIDERS[0].npi;
  // CODE-1 (interlaminar code for a transforaminal procedure): the claim waits in needs_correction
  // with a SUB-1 work item — a real claim and a real work item of this practice.
  const claimId = uniqueId(`SCOPE-${practiceId}`);
  const claim = tfesiClaim(claimId, { practiceId, renderingNpi, serviceDate: addCalendarDays(today(), -10), lines: [{ cpt: '62323', units: 1, chargeCents: 120000, diagnosisPointers: [1] }] });
  const c = await h.app.inject({ method: 'POST', url: '/api/claims', headers: admin, payload: claim });
  expect(c.statusCode, c.body).toBe(201);
  const appointmentId = uniqueId('APPT');
  const a = await h.app.inject({
    method: 'POST',
    url: '/api/appointments',
    headers: admin,
    payload: { appointmentId, practiceId, payerId: 'MEDICARE', patientId: uniqueId('PT'), providerNpi: renderingNpi, serviceDate: addCalendarDays(today(), 20), cpts: ['64483'], placeOfService: '24', region: 'lumbar', approach: 'transforaminal', levels: ['L4-L5'], laterality: 'left', conservativeCareWeeks: 6 },
  });
  expect(a.statusCode, a.body).toBe(201);
  const authId = uniqueId('AUTH');
  const z = await h.app.inject({
    method: 'POST',
    url: '/api/authorizations',
    headers: admin,
    payload: {
      authId, practiceId, payerId: 'COMMERCIAL', patientId: uniqueId('PT'), providerNpi: renderingNpi, family: 'esi', cpts: ['64483'], region: 'lumbar', approach: 'transforaminal', levels: ['L4-L5'], laterality: 'bilateral',
      validFrom: today(), validTo: addCalendarDays(today(), 90), visitsRequested: 1,
      package: { diagnoses: ['M54.16'], imagingFindings: 'MRI: foraminal stenosis', conservativeCare: { weeks: 8, modalities: ['PT'], failed: true }, functionalImpairment: 'cannot stand' },
    },
  });
  expect(z.statusCode, z.body).toBe(201);
  const npi = freshNpi();
  const p = await h.app.inject({
    method: 'POST',
    url: '/api/providers',
    headers: admin,
    payload: { npi, practiceId, name: 'Dr. Scope Test', credentials: { licenses: [{ state: 'IL', number: '036-1', expiryDate: addCalendarDays(today(), 300) }], enrollments: [{ payerId: 'MEDICARE', effectiveDate: addCalendarDays(today(), -200) }] } },
  });
  expect(p.statusCode, p.body).toBe(201);
  const patientId = uniqueId('SCOPE-PT');
  const pt = await h.app.inject({
    method: 'POST',
    url: `/api/practices/${practiceId}/patients`,
    headers: admin,
    payload: { patientId, name: { last: 'Scopetest', first: 'Pat' }, birthDate: '1960-01-02', sex: 'F', address: { line1: '1 Test St', city: 'Springfield', state: 'IL', zip: '62701' }, coverages: [{ priority: 'primary', payerId: 'MEDICARE', memberId: 'SCOPE1', effectiveDate: '2020-01-01' }] },
  });
  expect(pt.statusCode, pt.body).toBe(201);
  const workItem = await eventually(async () => (await h.db('work_items').where({ entity_type: 'claim', entity_id: claimId, status: 'open' }).first('id'))?.id, `SUB-1 work item of ${claimId}`);
  // Read-model rows of the other objects (the checks also work from the workflow before them).
  await eventually(async () => (await h.db('claims').where({ claim_id: claimId }).first('claim_id')) ?? undefined, 'claim row');
  return { claim: claimId, appointment: appointmentId, authorization: authId, provider: npi, workItem: String(workItem), practice: practiceId, patient: patientId };
}

beforeAll(async () => {
  h = await startHarness();
  objects[A] = await createObjects(A);
  objects[B] = await createObjects(B);
});
afterAll(async () => h?.close());

const inject = (method: string, url: string, who: Parameters<Harness['auth']>[0], payload?: unknown) =>
  h.app.inject({ method: method as 'GET', url, headers: h.auth(who), ...(payload !== undefined ? { payload: payload as object } : {}) });

/** The route's URL with the objects of `practiceId` in its parameters. */
function urlFor(route: AccessRoute, practiceId: string): string {
  const params: Record<string, string> = {};
  for (const [kind, spec] of Object.entries(ENTITIES)) params[spec.param] = objects[practiceId][kind as EntityKind];
  // A contract route addresses a payer and a year of the practice (a year without a contract answers the payer defaults).
  const extra: Record<string, string> = { action: 'close', name: 'test-viewer', payerId: 'MEDICARE', year: today().slice(0, 4) };
  return route.url.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name] ?? extra[name] ?? `x-${name}`));
}

/** Routes whose handler checks the practices inside the body: how to send another practice's. */
const HANDLER_CASES: Record<string, (other: Objects) => unknown> = {
  'POST /api/remittances': (other) => ({ payerId: 'MEDICARE', traceNumber: uniqueId('TRN'), totalPaidCents: 0, paymentDate: today(), adjudicationDate: today(), claims: [{ claimId: other.claim }] }),
  'POST /api/claims/import': (other) => ({ rows: [{ claim: { practiceId: other.practice, claimId: uniqueId('IMP') }, submittedAt: `${today()}T10:00:00Z` }] }),
  'POST /api/authorizations/payer-responses': (other) => ({ requestId: uniqueId('REQ'), authId: other.authorization, payerId: 'COMMERCIAL', decision: 'approved', decidedOn: today() }),
};

describe('access rules: every /api route declares one', () => {
  it('the route table holds every /api route of the OpenAPI document, each with a rule', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith('/api/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
    const table = h.app.accessRoutes.map((r) => `${r.method} ${r.url}`);
    expect(documented.length).toBeGreaterThan(20);
    expect(table.sort()).toEqual(expect.arrayContaining(documented.sort()));
    for (const r of h.app.accessRoutes) expect(r.rule.level, `${r.method} ${r.url}`).toMatch(/^(read|write|admin)$/);
  });

  it('a route without a rule, or a GET declared as a write, is refused at registration', () => {
    expect(() => checkRouteRule('POST', '/api/new-thing', undefined)).toThrow(/POST \/api\/new-thing has no access rule/);
    expect(() => checkRouteRule('GET', '/api/claims', { level: 'write' })).toThrow(/cannot be a write/);
    expect(() => checkRouteRule('POST', '/api/claims', { level: 'read' })).toThrow(/declare level write or admin/);
    expect(() => checkRouteRule('GET', '/api/things/:thingId', { level: 'read', entity: 'claim' })).toThrow(/:claimId/);
    // A URL naming a practice-owned object must declare it, or its practice would go unchecked.
    expect(() => checkRouteRule('POST', '/api/claims/:claimId/notes', { level: 'write' })).toThrow(/declare entity 'claim'/);
  });
});

describe('role × practice × route matrix (generated from the route table)', () => {
  // Built lazily: the route table exists once the harness is up (beforeAll), so each generated
  // case runs inside one `it` per route and direction, named by the route.
  const routes = (): AccessRoute[] => h.app.accessRoutes;

  it('covers every route: each has a case below', () => {
    for (const r of routes()) {
      const key = `${r.method} ${r.url}`;
      const covered = r.rule.level === 'admin' || r.rule.entity || r.rule.list || r.rule.handlerChecks ? true : r.method === 'GET' || r.rule.level === 'write';
      expect(covered, key).toBe(true);
      if (r.rule.handlerChecks) expect(HANDLER_CASES[key], `${key} checks practices in its handler: add a HANDLER_CASES entry`).toBeDefined();
    }
  });

  for (const [own, other] of [[A, B], [B, A]] as const) {
    it(`a ${own} biller: another practice's objects are 404 on reads and 403 naming ${other} on writes, on every route`, async () => {
      const who = OWN_BILLER[own];
      const report: string[] = [];
      for (const r of routes()) {
        const key = `${r.method} ${r.url}`;
        const url = urlFor(r, other);
        if (r.rule.level === 'admin') {
          const res = await inject(r.method, url, who, r.method === 'GET' ? undefined : {});
          expect(res.statusCode, `${key} admin only`).toBe(403);
          report.push(`${key}: 403 admin only`);
        } else if (r.rule.entity) {
          const res = await inject(r.method, url, who, r.method === 'GET' ? undefined : {});
          if (r.method === 'GET') {
            expect(res.statusCode, `${key} read of ${other}'s ${r.rule.entity}`).toBe(404);
          } else {
            expect(res.statusCode, `${key} write to ${other}'s ${r.rule.entity}`).toBe(403);
            expect(res.json().message, key).toContain(`practice ${other}`);
            expect(res.json().practiceId, key).toBe(other);
          }
          report.push(`${key}: ${res.statusCode}`);
          // Control (reads only: a write would change the object): the caller reads its own object.
          if (r.method === 'GET') {
            const mine = await inject('GET', urlFor(r, own), who);
            expect(mine.statusCode, `${key} on ${own}'s own object: ${mine.body}`).toBe(200);
          }
        } else if (r.rule.handlerChecks) {
          const res = await inject(r.method, url, who, HANDLER_CASES[key](objects[other]));
          expect(res.statusCode, `${key}: ${res.body}`).toBe(403);
          expect(res.json().practiceId, key).toBe(other);
          report.push(`${key}: 403 (handler)`);
        } else if (r.method === 'GET') {
          const filtered = await inject('GET', `${url}?practiceId=${other}`, who);
          expect(filtered.statusCode, `${key}?practiceId=${other}`).toBe(404);
          if (r.rule.list) {
            const all = await inject('GET', url, who);
            expect(all.statusCode, key).toBe(200);
            expect(all.body, `${key} lists only ${own}`).not.toContain(`"${other}"`);
            expect(all.body, `${key} lists ${own}'s own objects`).toContain(`"${own}"`);
          } else {
            const mine = await inject('GET', `${url}?practiceId=${own}`, who);
            expect(mine.statusCode, `${key}?practiceId=${own}: ${mine.body}`).toBe(200);
          }
          report.push(`${key}: 404 filtered`);
        } else {
          // A write that names its practice in the body.
          const res = await inject(r.method, url, who, { practiceId: other });
          expect(res.statusCode, `${key} with practiceId ${other}: ${res.body}`).toBe(403);
          expect(res.json().message, key).toContain(other);
          report.push(`${key}: 403 body`);
        }
      }
      expect(report.length).toBe(routes().length);
    });
  }

  it('a provider token reads its practice but never writes, on every route that changes something', async () => {
    let writes = 0;
    for (const r of routes()) {
      const url = urlFor(r, A);
      if (r.method === 'GET') {
        if (r.rule.level === 'admin') continue;
        // A route closed to providers (raw X12 documents: PHI) says so with 403; every other read of its own practice answers.
        if (r.rule.roles && !r.rule.roles.allowed.includes('provider')) {
          const res = await inject('GET', url, 'provider');
          expect(res.statusCode, `${r.method} ${r.url}`).toBe(403);
          expect(res.json().message).toContain('a provider token may not do this');
        } else if (r.rule.entity) expect((await inject('GET', url, 'provider')).statusCode, `${r.method} ${r.url}`).toBe(200);
        continue;
      }
      writes++;
      const body = r.rule.handlerChecks ? HANDLER_CASES[`${r.method} ${r.url}`](objects[A]) : { practiceId: A };
      const res = await inject(r.method, url, 'provider', body);
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(403);
      expect(res.json().message, `${r.method} ${r.url}`).toMatch(/provider token can read, not change|only an admin/);
    }
    expect(writes).toBeGreaterThan(10);
  });
});

describe('cross-practice reads and writes with real claims and work items', () => {
  it("another practice's claim answers 404 like a claim that does not exist; its own practice's biller reads it", async () => {
    const theirs = await inject('GET', `/api/claims/${objects[A].claim}`, 'northBiller');
    const none = await inject('GET', '/api/claims/NO-SUCH-CLAIM-1', 'northBiller');
    expect(theirs.statusCode).toBe(404);
    expect(theirs.json()).toEqual({ error: 'not_found', message: `claim ${objects[A].claim} not found` });
    expect(none.statusCode).toBe(404);
    const own = await inject('GET', `/api/claims/${objects[A].claim}`, 'demoBiller');
    expect(own.statusCode).toBe(200);
    expect(own.json().claim.practiceId).toBe(A);
  });

  it("correcting another practice's claim is 403 naming the practice, and the claim keeps its version", async () => {
    const before = await h.db('claims').where({ claim_id: objects[A].claim }).first('version');
    const res = await inject('POST', `/api/claims/${objects[A].claim}/actions/correct`, 'northBiller', { claim: tfesiClaim(objects[A].claim), reason: 'not mine to fix' });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: 'forbidden', practiceId: A });
    expect(res.json().message).toBe(`claim ${objects[A].claim} belongs to practice ${A}, which this token may not change`);
    expect((await h.db('claims').where({ claim_id: objects[A].claim }).first('version')).version).toBe(before.version);
  });

  it("a claim moved into another practice by its correction is refused: the body's practice must be the caller's too", async () => {
    const res = await inject('POST', `/api/claims/${objects[B].claim}/actions/correct`, 'northBiller', { claim: tfesiClaim(objects[B].claim, { practiceId: A }), reason: 'move it' });
    expect(res.statusCode).toBe(403);
    expect(res.json().practiceId).toBe(A);
  });

  it("completing another practice's work item is 403 and the item stays open; the work-item list shows only the caller's practice", async () => {
    const res = await inject('POST', `/api/work-items/${objects[A].workItem}/complete`, 'northBiller', { outcome: { note: 'x' } });
    expect(res.statusCode).toBe(403);
    expect(res.json().practiceId).toBe(A);
    expect((await h.db('work_items').where({ id: Number(objects[A].workItem) }).first('status')).status).toBe('open');

    const north = (await inject('GET', '/api/work-items?limit=500', 'northBiller')).json().workItems as Array<{ id: number; practiceId: string }>;
    expect(north.map((w) => w.id)).toContain(Number(objects[B].workItem));
    expect(north.map((w) => w.id)).not.toContain(Number(objects[A].workItem));
    expect(new Set(north.map((w) => w.practiceId))).toEqual(new Set([B]));
    const everyone = (await inject('GET', '/api/work-items?limit=500', 'admin')).json().workItems as Array<{ id: number }>;
    expect(everyone.map((w) => w.id)).toEqual(expect.arrayContaining([Number(objects[A].workItem), Number(objects[B].workItem)]));
  });

  it("creating a claim in another practice is 403 naming it and starts nothing", async () => {
    const claimId = uniqueId('SNEAK');
    const res = await inject('POST', '/api/claims', 'northBiller', tfesiClaim(claimId, { practiceId: A }));
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toContain(`practice ${A}`);
    await expect(h.client.workflow.getHandle(`claim:${A}:${claimId}`).describe()).rejects.toThrow();
    expect(await h.db('claims').where({ claim_id: claimId }).first()).toBeUndefined();
  });

  it('an ERA paying another practice\'s claim is refused whole: nothing is stored', async () => {
    const trace = uniqueId('TRN');
    const res = await inject('POST', '/api/remittances', 'northBiller', { ...(HANDLER_CASES['POST /api/remittances'](objects[A]) as object), traceNumber: trace });
    expect(res.statusCode).toBe(403);
    expect(await h.db('remittances').where({ trace_number: trace }).first()).toBeUndefined();
  });

  it('the claim list of a biller of both practices holds both; a single-practice biller sees only its own', async () => {
    const company = await inject('GET', '/api/claims?limit=500', 'biller');
    const ids = company.json().claims.map((c: { claimId: string }) => c.claimId);
    expect(ids).toEqual(expect.arrayContaining([objects[A].claim, objects[B].claim]));
    const demo = (await inject('GET', '/api/claims?limit=500', 'demoBiller')).json().claims.map((c: { claimId: string }) => c.claimId);
    expect(demo).toContain(objects[A].claim);
    expect(demo).not.toContain(objects[B].claim);
  });

  it('removing a practice from a user takes effect on the next request', async () => {
    const name = uniqueId('mover').toLowerCase();
    const token = (await inject('POST', '/api/users', 'admin', { name, role: 'viewer', practiceIds: [A, B] })).json().token;
    const get = () => h.app.inject({ method: 'GET', url: `/api/claims/${objects[B].claim}`, headers: { authorization: `Bearer ${token}` } });
    expect((await get()).statusCode).toBe(200);
    await h.db('user_practices').where({ user_name: name, practice_id: B }).delete();
    expect((await get()).statusCode).toBe(404);
  });
});
