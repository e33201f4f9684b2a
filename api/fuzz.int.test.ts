/**
 * Fuzzed input never 500s. Walks every route of GET /openapi.json and sends ≥ 10,000 generated
 * requests through `app.inject` against the real PostgreSQL and Temporal (worker running): bodies
 * derived from each route's schema with one value poisoned (wrong type, huge or empty string,
 * impossible or absurd date, NUL, lone surrogate, deep nesting, extreme number), whole bodies of
 * the wrong shape, wrong content types, bad path parameters and query strings, malformed X12 to
 * POST /api/remittances. Every answer must be 4xx or a documented 2xx, never 5xx, never a stack
 * trace or SQL text in the body. A one-line count by status is printed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { startHarness, uniqueId, type Harness } from '../test/harness';
import { tfesiClaim } from '../test/fixtures';
import { generate835 } from '../x12';
import { x12Mutations, mutateX12 } from '../test/x12-mutations';
import { CLAIM_ACTION_BODIES } from './routes/claim-actions';
import { APPOINTMENT_ACTIONS } from '../contracts/eligibility';
import { AUTHORIZATION_ACTIONS } from '../contracts/authorization';
import { CREDENTIAL_ACTIONS } from '../contracts/credential';
import type { Remittance } from '../domain/remittance';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

/**
 * The providers this file credentials have NPIs of their own: registering the fixtures' rendering
 * NPI (1234567893) with partial credentials would hold other suites' claims (CHG-3/CRED-7).
 */
const FUZZ_NPI = '1245319599';
const EDGE_NPI = '1679576722';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  pattern?: string;
  default?: unknown;
  additionalProperties?: unknown;
};

/** Plausible values for the patterned fields, by property name (the schemas' regexes are not generated). */
const EXAMPLES: Record<string, () => unknown> = {
  practiceId: () => 'demo-pain',
  payerId: () => 'MEDICARE',
  npi: () => FUZZ_NPI,
  renderingNpi: () => '1234567893',
  providerNpi: () => '1234567893',
  payeeNpi: () => '1456789019',
  cpt: () => '64483',
  cpts: () => ['64483'],
  modifiers: () => ['50'],
  diagnoses: () => ['M54.16'],
  placeOfService: () => '24',
  levels: () => ['L4-L5'],
  state: () => 'TX',
  caqhId: () => '12345',
  region: () => 'lumbar',
  laterality: () => 'bilateral',
  diagnosisPointers: () => [1],
};
const DATE_FIELDS = /date$|^valid(from|to)$|^decidedon$|^documentedon$|^respondby$|^on$/i;

/** A value that satisfies the schema as far as a generator can without regexes. */
function example(schema: JsonSchema | undefined, name = '', depth = 0): unknown {
  if (!schema || depth > 8) return undefined;
  if (name in EXAMPLES) return EXAMPLES[name]();
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return example(schema.anyOf.find((s) => s.type !== 'null') ?? schema.anyOf[0], name, depth + 1);
  if (schema.oneOf) return example(schema.oneOf[0], name, depth + 1);
  if (schema.allOf) return example(schema.allOf[0], name, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(schema.properties ?? {})) {
        const value = example(v, k, depth + 1);
        if (value !== undefined) out[k] = value;
      }
      return out;
    }
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => example(schema.items, name, depth + 1));
    case 'string':
      if (DATE_FIELDS.test(name) || schema.pattern === '^\\d{4}-\\d{2}-\\d{2}$') return name.toLowerCase().includes('birth') ? '1960-05-05' : day(10);
      return 'F'.repeat(Math.max(1, schema.minLength ?? 1));
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, 1);
    case 'boolean':
      return true;
    default:
      return schema.default ?? 'x';
  }
}

/** Every path (as keys) inside a JSON value. */
function paths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}
function setAt(root: unknown, path: Array<string | number>, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let at = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  at[path.at(-1)!] = value;
  return copy;
}

const deep = (n: number, leaf: unknown = 1): unknown => {
  let v: unknown = leaf;
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v };
  return v;
};
const poisonString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'A\u0000B',
    '\ud800',
    'x\udfff',
    '\ud83d',
    '2026-02-30',
    '2025-02-29',
    '0001-01-01',
    '9999-12-31',
    '2026-13-01',
    '20260101',
    '1899-12-31',
    '2101-01-01',
    "'; drop table claims; --",
    '../../etc/passwd',
    '%00',
    '\u202e\u0000',
    '😀'.repeat(50),
    'L4-L5',
    'MEDICARE',
    'demo-pain',
    '64483',
  ),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
  fc.integer({ min: 81, max: 100_000 }).map((n) => 'W'.repeat(n)),
  fc.date({ min: new Date('0001-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.integer({ min: -5, max: 800 }).map((n) => day(n)),
);
const poisonValue: fc.Arbitrary<unknown> = fc.oneof(
  poisonString,
  poisonString,
  fc.constantFrom(null, true, false, 0, -1, 1.5, -0.0001, 1e308, -1e308, 2 ** 31, 2 ** 53, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, [], {}, [[[]]], { $ne: 1 }, ['\u0000']),
  fc.integer({ min: 33, max: 3000 }).map((n) => deep(n)),
  fc.jsonValue({ maxDepth: 3 }),
  fc.anything({ maxDepth: 2, withNullPrototype: false }).map((v) => JSON.parse(JSON.stringify(v ?? null) ?? 'null')),
);

/** Percent-encode a path parameter byte by byte, lone surrogates and invalid UTF-8 included. */
function encodeParam(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0xd800 && c <= 0xdfff) out += `%ED%${(0xa0 | ((c >> 6) & 0x1f)).toString(16).toUpperCase()}%${(0x80 | (c & 0x3f)).toString(16).toUpperCase()}`;
    else out += /[A-Za-z0-9._~-]/.test(ch) ? ch : encodeURIComponent(ch);
  }
  return out;
}
const badParam = fc.oneof(
  poisonString.filter((s) => s.length < 3000),
  fc.constantFrom('%FF%FE', '%C0%AF', '%', '%E2%82', '..%2F..', 'a/b', '%2e%2e'),
  fc.constantFrom('FUZZ-CLAIM', 'FUZZ-APPT', 'FUZZ-AUTH', '1234567893', '1', '0', '-1', '99999999999999999999', '1e3'),
);

type Route = { method: string; url: string; params: string[]; query: string[]; body?: JsonSchema };

const ROUTE_BODIES: Record<string, () => Record<string, unknown>> = {};
const actionBodies: Record<string, Record<string, unknown>> = {};
for (const [name, schema] of Object.entries(CLAIM_ACTION_BODIES)) actionBodies[`claims:${name}`] = z.toJSONSchema(schema as z.ZodType, { unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
for (const [name, spec] of Object.entries(APPOINTMENT_ACTIONS)) actionBodies[`appointments:${name}`] = z.toJSONSchema(spec.body as z.ZodType, { unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
for (const [name, spec] of Object.entries(AUTHORIZATION_ACTIONS)) actionBodies[`authorizations:${name}`] = z.toJSONSchema(spec.body as z.ZodType, { unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
for (const [name, spec] of Object.entries(CREDENTIAL_ACTIONS)) actionBodies[`providers:${name}`] = z.toJSONSchema(spec.body as z.ZodType, { unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;

const STACK = /\n\s+at [^\n]+:\d+:\d+\)?/;
const SQL = /(insert into |select [^\n]{0,80} from |violates [a-z -]*constraint|syntax error at or near|invalid input syntax for|relation "[^"]+" does not exist|unsupported Unicode escape sequence|invalid byte sequence for encoding)/i;

describe('fuzzed input never 500s', () => {
  it('≥ 10,000 generated requests over every route in /openapi.json: 4xx or a documented 2xx, never 5xx, no stack trace or SQL', async () => {
    const fuzzStart = new Date();
    // Real objects for the action routes to hit (their Update validators run on live workflows).
    // Patients of their own: the claims this file creates never count as earlier ESIs of another suite's patient.
    const claim = tfesiClaim('FUZZ-CLAIM', { serviceDate: day(-5), patient: { id: uniqueId('PT-FUZZ'), birthDate: '1958-03-14', sex: 'F' } });
    const seeds = [
      ['/api/claims', claim],
      ['/api/appointments', { appointmentId: 'FUZZ-APPT', practiceId: 'demo-pain', payerId: 'COMMERCIAL', patientId: 'PT-F', providerNpi: '1234567893', serviceDate: day(20), cpts: ['64483'], placeOfService: '24' }],
      ['/api/authorizations', { authId: 'FUZZ-AUTH', practiceId: 'demo-pain', payerId: 'COMMERCIAL', patientId: 'PT-F', providerNpi: '1234567893', family: 'esi', cpts: ['64483'], region: 'lumbar', levels: ['L4-L5'], laterality: 'left', validFrom: day(1), validTo: day(60) }],
      ['/api/providers', { npi: FUZZ_NPI, practiceId: 'demo-pain', name: 'Dr Fuzz', credentials: { licenses: [{ state: 'TX', number: 'L-1', expiryDate: day(400) }], enrollments: [{ payerId: 'MEDICARE', effectiveDate: day(-100) }] } }],
    ] as const;
    for (const [url, payload] of seeds) {
      const res = await h.app.inject({ method: 'POST', url, headers: h.auth('admin'), payload });
      expect([201, 409], `${url}: ${res.body}`).toContain(res.statusCode);
    }

    const spec = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const routes: Route[] = [];
    for (const [p, ops] of Object.entries<Record<string, any>>(spec.paths)) {
      for (const [m, op] of Object.entries<any>(ops)) {
        routes.push({
          method: m.toUpperCase(),
          url: p,
          params: (op.parameters ?? []).filter((x: any) => x.in === 'path').map((x: any) => x.name),
          query: (op.parameters ?? []).filter((x: any) => x.in === 'query').map((x: any) => x.name),
          body: op.requestBody?.content?.['application/json']?.schema,
        });
      }
    }
    expect(routes.length).toBeGreaterThanOrEqual(20);
    const base835 = generate835(
      { payerId: 'MEDICARE', traceNumber: 'FUZZ-TRN', totalPaidCents: 1000, paymentDate: day(0), adjudicationDate: day(0), claims: [{ claimId: 'FUZZ-CLAIM', statusCode: '1', chargedCents: 185000, paidCents: 1000, patientResponsibilityCents: 0, adjustments: [{ group: 'CO', carc: '45', amountCents: 184000 }], remarks: [], lines: [] }], providerAdjustments: [] } as Remittance,
      { sender: { id: 'P', name: 'P' }, receiver: { id: 'R', name: 'R' }, payer: { name: 'P', companyId: '1999999999', id: 'MEDICARE' }, payee: { name: 'R', npi: '1456789019' }, controlNumbers: { isa: 9, gs: 9, st: 1 }, createdAt: new Date().toISOString() },
    );

    const baseBody = (route: Route, params: Record<string, string>): unknown => {
      if (route.url.endsWith('/actions/{action}')) {
        const resource = route.url.split('/')[2];
        return example(actionBodies[`${resource}:${params.action}`] as JsonSchema) ?? {};
      }
      if (route.url === '/api/remittances') return { payerId: 'MEDICARE', traceNumber: 'FUZZ-TRN-J', totalPaidCents: 0, paymentDate: day(0), adjudicationDate: day(0), claims: [{ claimId: 'FUZZ-NONE', statusCode: '1', chargedCents: 0, paidCents: 0 }] };
      if (route.url.startsWith('/codec/')) return { payloads: [{ metadata: { encoding: Buffer.from('binary/encrypted').toString('base64') }, data: Buffer.from('garbage').toString('base64') }] };
      if (route.url === '/api/work-items/{id}/complete') return { outcome: { explanation: 'x' } };
      return route.body ? example(route.body) : undefined;
    };
    const actionNames = (route: Route): string[] => {
      const resource = route.url.split('/')[2];
      return Object.keys(actionBodies).filter((k) => k.startsWith(`${resource}:`)).map((k) => k.split(':')[1]);
    };
    const goodParam = (route: Route, name: string): string => {
      if (name === 'action') return actionNames(route)[0] ?? 'x';
      if (name === 'claimId') return 'FUZZ-CLAIM';
      if (name === 'appointmentId') return 'FUZZ-APPT';
      if (name === 'authId') return 'FUZZ-AUTH';
      if (name === 'npi') return FUZZ_NPI;
      if (name === 'id') return '1';
      return 'x';
    };

    const requestArb = fc
      .record({
        routeIndex: fc.nat(),
        strategy: fc.constantFrom('poisonField', 'poisonField', 'poisonField', 'poisonField', 'wholeBody', 'contentType', 'param', 'query', 'x12', 'auth'),
        pathPick: fc.nat(),
        value: poisonValue,
        param: badParam,
        actionPick: fc.nat(),
        contentType: fc.constantFrom('text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'application/octet-stream', 'image/png', ''),
        rawBody: fc.oneof(fc.constantFrom('{', '{"a":', '[1,2', 'null', '"\\u0000"', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '\u0000\u0000'), fc.string({ unit: 'binary', maxLength: 200 })),
        mutations: x12Mutations,
        queryKey: fc.nat(),
      })
      .map((g) => {
        const route = routes[g.routeIndex % routes.length];
        const params: Record<string, string> = {};
        for (const p of route.params) params[p] = p === 'action' ? actionNames(route)[g.actionPick % Math.max(1, actionNames(route).length)] ?? 'x' : goodParam(route, p);
        let headers: Record<string, string> = { ...h.auth('admin') };
        let payload: string | undefined;
        let query = '';
        const body = baseBody(route, params);
        switch (g.strategy) {
          case 'poisonField': {
            const all = paths(body);
            const at = all[g.pathPick % all.length];
            payload = JSON.stringify(setAt(body, at, g.value)) ?? 'null';
            headers['content-type'] = 'application/json';
            break;
          }
          case 'wholeBody':
            payload = JSON.stringify(g.value) ?? 'null';
            headers['content-type'] = 'application/json';
            break;
          case 'contentType':
            payload = g.rawBody;
            if (g.contentType) headers['content-type'] = g.contentType;
            break;
          case 'param': {
            const names = route.params.length ? route.params : [];
            if (names.length) params[names[g.pathPick % names.length]] = String(g.param);
            if (body !== undefined && route.method === 'POST') {
              payload = JSON.stringify(body);
              headers['content-type'] = 'application/json';
            }
            break;
          }
          case 'query': {
            const keys = route.query.length ? route.query : ['payerId', 'x'];
            const key = keys[g.queryKey % keys.length];
            const v = typeof g.value === 'string' ? g.value : JSON.stringify(g.value) ?? '';
            query = `?${key}=${encodeParam(v.slice(0, 3000))}&${key}=${encodeParam(String(g.param).slice(0, 200))}`;
            if (body !== undefined && route.method === 'POST') {
              payload = JSON.stringify(body);
              headers['content-type'] = 'application/json';
            }
            break;
          }
          case 'x12':
            payload = mutateX12(base835, g.mutations);
            headers['content-type'] = 'text/plain';
            return { method: 'POST', url: '/api/remittances', headers, payload };
          case 'auth':
            headers = g.pathPick % 2 ? { authorization: `Bearer ${String(g.param).slice(0, 100).replace(/[^\x21-\x7e]/g, 'x')}` } : {};
            break;
        }
        const url = route.url.replace(/\{(\w+)\}/g, (_m, name) => encodeParam(params[name] ?? 'x')) + query;
        return { method: route.method, url, headers, payload };
      });

    const byStatus: Record<number, number> = {};
    const byRoute: Record<string, Record<number, number>> = {};
    let total = 0;
    let namedField = 0;
    let badRequests = 0;
    const failures: string[] = [];
    const send = async (req: { method: string; url: string; headers: Record<string, string>; payload?: string }) => {
      const res = await h.app.inject({ method: req.method as 'GET', url: req.url, headers: req.headers, payload: req.method === 'GET' ? undefined : req.payload });
      total++;
      byStatus[res.statusCode] = (byStatus[res.statusCode] ?? 0) + 1;
      const routeKey = `${req.method} ${req.url.split('?')[0].split('/').slice(0, 3).join('/')}`;
      (byRoute[routeKey] ??= {})[res.statusCode] = (byRoute[routeKey][res.statusCode] ?? 0) + 1;
      if (res.statusCode === 400) {
        badRequests++;
        const b = (() => {
          try {
            return res.json();
          } catch {
            return {};
          }
        })();
        if (b.issues?.length || b.segmentPosition) namedField++;
      }
      const documented2xx = [200, 201, 202, 204].includes(res.statusCode);
      const ok = (res.statusCode >= 400 && res.statusCode < 500) || documented2xx;
      if (!ok || STACK.test(res.body) || SQL.test(res.body)) {
        failures.push(`${req.method} ${req.url.slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 300)} (payload ${String(req.payload).slice(0, 200)})`);
      }
    };

    // Huge bodies: a 3 MB claim documentation answers 413 at once (the route's 256 KiB limit).
    const huge = { ...claim, claimId: 'FUZZ-HUGE', documentation: { procedures: [{ family: 'esi', region: 'lumbar', levels: ['L4-L5'], laterality: 'left', note: 'W'.repeat(3 * 1024 * 1024) }] } };
    const hugeRes = await h.app.inject({ method: 'POST', url: '/api/claims', headers: { ...h.auth('biller'), 'content-type': 'application/json' }, payload: JSON.stringify(huge) });
    expect(hugeRes.statusCode, hugeRes.body).toBe(413);
    expect(hugeRes.json().error).toBe('payload_too_large');

    const RUNS = 10_200;
    const samples = fc.sample(requestArb, { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261202) });
    for (const req of samples) await send(req);
    await send({ method: 'POST', url: '/api/claims', headers: { ...h.auth('biller'), 'content-type': 'application/json' }, payload: JSON.stringify(huge) });

    // Boundary-valid creations (unique ids, values at the edges of every range): each is accepted,
    // and its workflow must then run without failing or wedging (checked below with the others).
    // Ids that travel into X12 elements hold no X12 delimiter (refused at the edge, checked below); free text may.
    const longId = (n: number) => fc.constantFrom('W'.repeat(n), '😀'.repeat(n), 'É'.repeat(n));
    const longText = (n: number) => fc.constantFrom('W'.repeat(n), '😀'.repeat(n), 'É'.repeat(n), `${'x'.repeat(n - 1)}*`);
    const edgeArb = fc.record({
      kind: fc.constantFrom('claim', 'appointment', 'authorization', 'provider'),
      dosAhead: fc.constantFrom(-700, -1, 0, 1, 729, 730),
      birth: fc.constantFrom('1900-01-01', day(0), '2000-02-29'),
      memberId: longId(80),
      patientId: longId(80),
      units: fc.constantFrom(1, 999),
      cents: fc.constantFrom(0, 1, 100_000_000_000),
      expiry: fc.constantFrom('2099-12-31', day(1), day(-1), '1900-01-01'),
      validTo: fc.constantFrom('2098-12-31', day(1)),
      name: longText(200),
      // NM1*82 of every 837P: an X12 id (a delimiter in it is refused, checked below).
      providerName: longId(200),
    });
    // A member id, patient id or prior-auth number with an X12 delimiter is refused with the field named
    // (an 837P could not carry it), never accepted and then parked.
    for (const [field, claim] of [
      ['coverage.memberId', tfesiClaim(uniqueId('EDGE-X12'), { coverage: { memberId: 'W12345*6', priority: 'primary' } })],
      ['patient.id', tfesiClaim(uniqueId('EDGE-X12'), { patient: { id: 'PT~1', birthDate: '1960-05-05', sex: 'U' } })],
      ['priorAuthNumber', tfesiClaim(uniqueId('EDGE-X12'), { priorAuthNumber: 'PA:1' })],
    ] as const) {
      const res = await h.app.inject({ method: 'POST', url: '/api/claims', headers: { ...h.auth('admin'), 'content-type': 'application/json' }, payload: JSON.stringify(claim) });
      total++;
      byStatus[res.statusCode] = (byStatus[res.statusCode] ?? 0) + 1;
      if (res.statusCode !== 400 || !res.json().issues?.some((x: { path: string }) => x.path === field)) failures.push(`X12 delimiter in ${field}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    }
    let edgeAccepted = 0;
    for (const [i, e] of fc.sample(edgeArb, { numRuns: 40, seed: 7 }).entries()) {
      const id = `${uniqueId('EDGE')}-${i}`;
      const npi = '1234567893';
      const bodies: Record<string, [string, unknown]> = {
        claim: ['/api/claims', tfesiClaim(id, { serviceDate: day(Math.min(e.dosAhead, 730)), coverage: { memberId: e.memberId, priority: 'primary' }, patient: { id: `${e.patientId.slice(0, 48)}${i}`, birthDate: e.birth, sex: 'U' }, lines: [{ cpt: '64483', modifiers: ['50'], units: e.units, chargeCents: e.cents, diagnosisPointers: [1, 2] }] })],
        appointment: ['/api/appointments', { appointmentId: id, practiceId: 'demo-pain', payerId: 'COMMERCIAL', patientId: e.patientId, memberId: e.memberId, providerNpi: npi, serviceDate: day(Math.max(0, e.dosAhead)), cpts: ['64483'], placeOfService: '24' }],
        authorization: ['/api/authorizations', { authId: id, practiceId: 'demo-pain', payerId: 'COMMERCIAL', patientId: e.patientId, providerNpi: npi, family: 'esi', cpts: ['64483'], region: 'lumbar', levels: ['L4-L5'], laterality: 'left', validFrom: day(0), validTo: e.validTo, package: { diagnoses: ['M54.16'], imagingFindings: e.name, functionalImpairment: e.name, conservativeCare: { weeks: 8, modalities: ['PT'], failed: true } } }],
        provider: ['/api/providers', { npi: EDGE_NPI, practiceId: 'demo-pain', name: e.providerName, credentials: { licenses: [{ state: 'TX', number: e.memberId.slice(0, 40), issueDate: '1900-01-01', expiryDate: e.expiry }], enrollments: [{ payerId: 'MEDICARE', effectiveDate: day(-10) }] } }],
      };
      const [url, payload] = bodies[e.kind];
      const res = await h.app.inject({ method: 'POST', url, headers: { ...h.auth('admin'), 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
      total++;
      byStatus[res.statusCode] = (byStatus[res.statusCode] ?? 0) + 1;
      if (res.statusCode === 201) edgeAccepted++;
      else if (!(e.kind === 'provider' && res.statusCode === 409)) failures.push(`boundary-valid ${e.kind} refused: ${res.statusCode} ${res.body.slice(0, 300)}`);
    }
    await new Promise((r) => setTimeout(r, 5000)); // let the started workflows run their first tasks

    const summary = Object.entries(byStatus)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([s, n]) => `${s} × ${n}`)
      .join(', ');
    console.log(`fuzz: ${total} requests over ${routes.length} routes → ${summary}; 400s naming a field or segment: ${namedField}/${badRequests}; failures: ${failures.length}`);
    if (failures.length) console.log(failures.slice(0, 20).join('\n'));
    // Accepted means it will finish: no workflow started by an accepted request failed, and none
    // is wedged on a failing workflow task (a value the workflow code cannot handle).
    const started: string[] = [];
    for await (const wf of h.client.workflow.list({ query: `StartTime >= "${fuzzStart.toISOString()}"` })) started.push(wf.workflowId);
    const broken: string[] = [];
    const lengths: Array<[string, number]> = [];
    for (const id of started) {
      const d = await h.client.workflow.getHandle(id).describe();
      lengths.push([id, d.historyLength]);
      const attempt = d.raw.pendingWorkflowTask?.attempt ?? 0;
      const stuckActivities = (d.raw.pendingActivities ?? []).filter((a) => (a.attempt ?? 0) > 2).map((a) => `${a.activityType?.name} attempt ${a.attempt}: ${a.lastFailure?.message ?? ''}`.slice(0, 200));
      if (d.status.name === 'FAILED' || d.status.name === 'TERMINATED' || attempt > 2 || stuckActivities.length) broken.push(`${id}: ${d.status.name}, workflow task attempt ${attempt}; ${stuckActivities.join('; ')}`);
    }
    console.log(`fuzz: longest histories ${lengths.sort((x, y) => y[1] - x[1]).slice(0, 5).map(([id, n]) => `${id.slice(0, 40)}=${n}`).join(', ')}`);
    console.log(`fuzz: ${edgeAccepted} boundary-valid creations accepted; ${started.length} workflows started by accepted requests; failed or wedged: ${broken.length}`);
    if (broken.length) console.log(broken.slice(0, 10).join('\n'));
    expect(total).toBeGreaterThanOrEqual(10_000);
    expect(failures).toEqual([]);
    expect(broken).toEqual([]);
    expect(Object.keys(byStatus).filter((s) => Number(s) >= 500)).toEqual([]);
  }, 900_000);
});
