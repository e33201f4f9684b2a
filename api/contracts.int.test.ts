/**
 * Payers and practice contracts (issue 13): payers listed and added, a contract per practice ×
 * payer × year stored as versions from JSON and from CSV, row-numbered CSV errors with nothing
 * stored, practice scope, and `rcm contracts import` with its progress line. Each test file run
 * uses payers of its own (unique ids), so other files never see these contracts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startHarness, uniqueId, type Harness } from '../test/harness';
import { DEMO_PRACTICE_ID as A, SECOND_PRACTICE_ID as B, seedDemo } from '../db/seed';
import { demoFeeSchedule } from '../db/demo-fees';
import { utcToday } from '../test/fixtures';
import { registerCommand, registeredCommands } from '../cli/main';
import { runCliCaptured } from '../test/cli';
import { contractsCommand } from '../cli/contracts';

let h: Harness;
const year = 2031;
const dir = mkdtempSync(join(tmpdir(), 'rcm-contracts-'));

beforeAll(async () => {
  h = await startHarness({ worker: false });
  if (!registeredCommands().some((c) => c.name === 'contracts')) registerCommand(contractsCommand);
});
afterAll(async () => h?.close());

const req = (method: 'GET' | 'POST' | 'PUT', url: string, who: Parameters<Harness['auth']>[0], payload?: unknown, contentType?: string) =>
  h.app.inject({ method, url, headers: { ...h.auth(who), ...(contentType ? { 'content-type': contentType } : {}) }, ...(payload !== undefined ? { payload: payload as string } : {}) });

async function newPayer(type = 'commercial'): Promise<string> {
  const payerId = uniqueId('PAYER').toUpperCase();
  const res = await req('POST', '/api/payers', 'admin', { payerId, name: `Test payer ${payerId}`, type });
  expect(res.statusCode, res.body).toBe(201);
  return payerId;
}
const contractUrl = (practiceId: string, payerId: string, y = year) => `/api/practices/${practiceId}/contracts/${payerId}/${y}`;
const versions = async (practiceId: string, payerId: string) => Number((await h.db('payer_contracts').where({ practice_id: practiceId, payer_id: payerId }).count('* as n'))[0].n);

describe('payers', () => {
  it('an admin adds a payer with policy overrides; everyone lists it with its defaults; a biller may not add one; a second add is 409', async () => {
    const payerId = uniqueId('BCBS').toUpperCase();
    const created = await req('POST', '/api/payers', 'admin', { payerId, name: 'Blue Plan (test)', type: 'commercial', policy: { timelyFilingDays: 120 } });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ payerId, type: 'commercial', defaults: { timelyFilingDays: 120, appealWindowDays: 180, multipleProcedureReductionPercent: 50 } });
    const listed = (await req('GET', '/api/payers', 'northBiller')).json().payers as Array<{ payerId: string; defaults: { timelyFilingDays: number } }>;
    expect(listed.find((p) => p.payerId === payerId)?.defaults.timelyFilingDays).toBe(120);
    expect(listed.find((p) => p.payerId === 'MEDICARE')?.defaults.timelyFilingDays).toBe(365);
    expect((await req('POST', '/api/payers', 'biller', { payerId: `${payerId}X`, name: 'x', type: 'commercial' })).statusCode).toBe(403);
    const again = await req('POST', '/api/payers', 'admin', { payerId, name: 'again', type: 'commercial' });
    expect(again.statusCode).toBe(409);
    const bad = await req('POST', '/api/payers', 'admin', { payerId: `${payerId}Y`, name: 'x', type: 'hmo' });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().issues)).toContain('type');
  });
});

describe('demo data', () => {
  it("the seed gives demo-north its own commercial contract (demo-pain: payer defaults); seeding again adds no version", async () => {
    const y = Number(utcToday().slice(0, 4));
    const north = (await req('GET', contractUrl(B, 'COMMERCIAL', y), 'admin')).json();
    expect(north).toMatchObject({ source: 'contract', version: 1, effective: { multipleProcedureReductionPercent: 25, timelyFilingDays: 120, appealWindowDays: 90, sources: { feeSchedule: 'contract', bilateralPaymentPercent: 'payer_default' } } });
    expect(north.contract.fees).toContainEqual(expect.objectContaining({ cpt: '64483', modifier: '50' }));
    const pain = (await req('GET', contractUrl(A, 'COMMERCIAL', y), 'admin')).json();
    expect(pain).toMatchObject({ source: 'payer_default', effective: { multipleProcedureReductionPercent: 50, timelyFilingDays: 90, appealWindowDays: 180 } });
    await seedDemo(h.db, { years: [y], feeSchedule: demoFeeSchedule });
    expect((await req('GET', contractUrl(B, 'COMMERCIAL', y), 'admin')).json().version).toBe(1);
  });
});

describe('contracts from JSON: versions', () => {
  it('a change makes a new version; the same terms again make none; older versions stay readable', async () => {
    const payerId = await newPayer();
    const url = contractUrl(A, payerId);
    const none = await req('GET', url, 'demoBiller');
    expect(none.statusCode).toBe(200);
    expect(none.json()).toMatchObject({ source: 'payer_default', version: null, contract: null, effective: { timelyFilingDays: 90, appealWindowDays: 180, sources: { timelyFilingDays: 'payer_default' } } });

    const v1 = { fees: [{ cpt: '64483', allowableCents: 61_000 }, { cpt: '64483', modifier: '50', allowableCents: 85_000 }], imagingGuidance: [{ cpt: '77003', allowableCents: 9_500 }], multipleProcedureReductionPercent: 40, timelyFilingDays: 120 };
    const first = await req('PUT', url, 'demoBiller', v1);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json().contract).toMatchObject({ version: 1, feeCount: 3, multipleProcedureReductionPercent: 40, timelyFilingDays: 120, appealWindowDays: null, source: 'api-json', createdBy: 'test-demo-biller' });
    const same = await req('PUT', url, 'demoBiller', v1);
    expect(same.statusCode).toBe(200);
    expect(same.json()).toMatchObject({ created: false, contract: { version: 1 } });

    const second = await req('PUT', url, 'demoBiller', { ...v1, fees: [{ cpt: '64483', allowableCents: 63_000 }] });
    expect(second.statusCode).toBe(201);
    expect(second.json().contract.version).toBe(2);

    const latest = (await req('GET', url, 'demoBiller')).json();
    expect(latest).toMatchObject({ source: 'contract', version: 2, versions: [{ version: 1 }, { version: 2 }] });
    expect(latest.contract.fees).toEqual([
      { cpt: '64483', modifier: '', allowableCents: 63_000, imagingGuidance: false },
      { cpt: '77003', modifier: '', allowableCents: 9_500, imagingGuidance: true },
    ]);
    // Fields the contract leaves out come from the payer's defaults, and the answer says so.
    expect(latest.effective).toMatchObject({
      multipleProcedureReductionPercent: 40,
      timelyFilingDays: 120,
      appealWindowDays: 180,
      sources: { feeSchedule: 'contract', multipleProcedureReductionPercent: 'contract', timelyFilingDays: 'contract', appealWindowDays: 'payer_default', bilateralPaymentPercent: 'payer_default' },
    });
    const old = (await req('GET', `${url}?version=1`, 'demoBiller')).json();
    expect(old.contract.fees.map((f: { cpt: string; modifier: string; allowableCents: number }) => `${f.cpt}:${f.modifier}:${f.allowableCents}`)).toEqual(['64483::61000', '64483:50:85000', '77003::9500']);

    const list = (await req('GET', `/api/practices/${A}/contracts?year=${year}`, 'demoBiller')).json();
    expect(list.contracts.filter((c: { payerId: string }) => c.payerId === payerId)).toEqual([expect.objectContaining({ version: 2, year })]);
  });

  it('bad JSON terms are 400 naming the field; nothing is stored', async () => {
    const payerId = await newPayer();
    const url = contractUrl(A, payerId);
    const cases: Array<[unknown, string]> = [
      [{ fees: [{ cpt: '6448', allowableCents: 1 }] }, 'fees.0.cpt'],
      [{ fees: [{ cpt: '64483', allowableCents: -5 }] }, 'fees.0.allowableCents'],
      [{ fees: [{ cpt: '64483', allowableCents: 1 }, { cpt: '64483', allowableCents: 2 }] }, 'fees.1.cpt'],
      [{ multipleProcedureReductionPercent: 120 }, 'multipleProcedureReductionPercent'],
      [{ priorAuthFamilies: ['knees'] }, 'priorAuthFamilies.0'],
      [{ mpr: 50 }, ''],
    ];
    for (const [body, path] of cases) {
      const res = await req('PUT', url, 'demoBiller', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().issues.map((i: { path: string }) => i.path), JSON.stringify(body)).toContain(path);
    }
    expect(await versions(A, payerId)).toBe(0);
    expect((await req('PUT', contractUrl(A, 'NO-SUCH-PAYER'), 'demoBiller', { timelyFilingDays: 30 })).statusCode).toBe(404);
    expect((await req('PUT', contractUrl(A, payerId, 1999), 'demoBiller', { timelyFilingDays: 30 })).statusCode).toBe(400);
  });

  it("another practice's contracts: 404 on reads, 403 naming the practice on writes; a provider reads but never writes", async () => {
    const payerId = await newPayer();
    expect((await req('PUT', contractUrl(A, payerId), 'demoBiller', { timelyFilingDays: 60 })).statusCode).toBe(201);
    expect((await req('GET', contractUrl(A, payerId), 'northBiller')).statusCode).toBe(404);
    expect((await req('GET', `/api/practices/${A}/contracts`, 'northBiller')).statusCode).toBe(404);
    const write = await req('PUT', contractUrl(A, payerId), 'northBiller', { timelyFilingDays: 1 });
    expect(write.statusCode).toBe(403);
    expect(write.json().practiceId).toBe(A);
    expect((await req('GET', contractUrl(A, payerId), 'provider')).statusCode).toBe(200);
    expect((await req('PUT', contractUrl(A, payerId), 'provider', { timelyFilingDays: 1 })).statusCode).toBe(403);
    expect(await versions(A, payerId)).toBe(1);
    expect(await versions(B, payerId)).toBe(0);
  });
});

describe('contracts from CSV', () => {
  it('a good file stores a version with its fees (and keeps the JSON terms); GET with Accept text/csv gives the schedule back', async () => {
    const payerId = await newPayer();
    const url = contractUrl(B, payerId);
    expect((await req('PUT', url, 'northBiller', { multipleProcedureReductionPercent: 25, priorAuthFamilies: ['rfa'] })).statusCode).toBe(201);
    const csv = '\uFEFFCPT,Modifier,Allowable,Kind\r\n64483,,610.00,fee\r\n64483,50,850,\r\n"64484",,"199.5",fee\r\n77003,,95.00,imaging_guidance\r\n\r\n';
    const res = await req('PUT', url, 'northBiller', csv, 'text/csv');
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ created: true, rows: 4, contract: { version: 2, feeCount: 4, source: 'api-csv', multipleProcedureReductionPercent: 25, priorAuthFamilies: ['rfa'] } });
    const got = (await req('GET', url, 'northBiller')).json();
    expect(got.contract.fees).toContainEqual({ cpt: '64484', modifier: '', allowableCents: 19_950, imagingGuidance: false });
    expect(got.contract.fees).toContainEqual({ cpt: '64483', modifier: '50', allowableCents: 85_000, imagingGuidance: false });
    expect(got.effective).toMatchObject({ multipleProcedureReductionPercent: 25, priorAuthFamilies: ['rfa'], imagingGuidanceCodes: expect.arrayContaining(['77003']) });
    const asCsv = await h.app.inject({ method: 'GET', url, headers: { ...h.auth('northBiller'), accept: 'text/csv' } });
    expect(asCsv.headers['content-type']).toContain('text/csv');
    expect(asCsv.body).toContain('64484,,199.50,fee');
    // The same file again stores nothing new.
    expect((await req('PUT', url, 'northBiller', csv, 'text/csv')).json()).toMatchObject({ created: false, contract: { version: 2 } });
  });

  it('a file with errors is refused whole: each error names its row and column, and nothing is stored', async () => {
    const payerId = await newPayer();
    const url = contractUrl(B, payerId);
    const csv = ['cpt,modifier,allowable', '64483,,610.00', '64484,,12.345', '6449X1,,10', '64490,LEFT,10', '64483,,600'].join('\n');
    const res = await req('PUT', url, 'northBiller', csv, 'text/csv');
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error).toBe('invalid_csv');
    expect(body.message).toMatch(/^fee schedule refused, nothing stored: row 3, column allowable: /);
    expect(body.errors.map((e: { row: number; column: string }) => `${e.row}:${e.column}`)).toEqual(['3:allowable', '4:cpt', '5:modifier', '6:cpt']);
    expect(body.errors[3].message).toContain('already priced on row 2');
    expect(await versions(B, payerId)).toBe(0);

    const header = await req('PUT', url, 'northBiller', 'code,price\n64483,1\n', 'text/csv');
    expect(header.statusCode).toBe(400);
    expect(header.json().errors[0]).toMatchObject({ row: 1, column: 'code' });
    const shape = await req('PUT', url, 'northBiller', 'cpt,allowable\n64483,1\n64484,2,3\n', 'text/csv');
    expect(shape.json().errors[0]).toMatchObject({ row: 3, column: null });
    const quote = await req('PUT', url, 'northBiller', 'cpt,allowable\n64483,1\n"64484,2\n', 'text/csv');
    expect(quote.statusCode).toBe(400);
    expect(quote.json().errors[0].row).toBeGreaterThanOrEqual(3);
    const plain = await req('PUT', url, 'northBiller', 'cpt,allowable\n64483,1\n', 'text/plain');
    expect(plain.statusCode).toBe(400);
    expect(await versions(B, payerId)).toBe(0);
  });
});

describe('rcm contracts import', () => {
  const run = (args: string[]) => runCliCaptured(['contracts', ...args, '--database-url', inject('databaseUrl')], dir);

  it('imports a 6,000-row file with progress lines, then the same file stores nothing new', async () => {
    const payerId = await newPayer();
    const lines = ['cpt,modifier,allowable'];
    for (let i = 0; i < 6000; i++) lines.push(`${String(10000 + i)},,${(100 + i / 100).toFixed(2)}`);
    writeFileSync(join(dir, 'big.csv'), lines.join('\n'));
    const r = await run(['import', 'big.csv', '--practice', A, '--payer', payerId, '--year', String(year)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('big.csv: 5000 rows read');
    expect(r.stderr).toContain('6000 rows valid');
    expect(r.stdout).toMatch(new RegExp(`^stored version 1 of the ${year} ${payerId} contract of ${A}: 6000 fees`));
    const fee = await h.db('payer_contract_fees as f').join('payer_contracts as c', 'c.id', 'f.contract_id').where({ 'c.payer_id': payerId, 'f.cpt': '10250' }).first('f.allowable_cents');
    expect(Number(fee.allowable_cents)).toBe(10_250);
    const again = await run(['import', 'big.csv', '--practice', A, '--payer', payerId, '--year', String(year)]);
    expect(again.stdout).toContain('unchanged: version 1');
  });

  it('a file with an error prints each row and column, exits 1 and stores nothing; bad options name the option', async () => {
    const payerId = await newPayer();
    writeFileSync(join(dir, 'bad.csv'), 'cpt,allowable\n64483,610\n64484,abc\n');
    const r = await run(['import', 'bad.csv', '--practice', A, '--payer', payerId, '--year', String(year)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bad.csv: row 3, column allowable: "abc" is not an amount');
    expect(r.stderr).toContain('nothing stored');
    expect(await versions(A, payerId)).toBe(0);
    expect((await run(['import', 'bad.csv', '--practice', A, '--payer', payerId])).stderr).toContain('--year');
    const unknown = await run(['import', join(dir, 'big.csv'), '--practice', 'no-such-practice', '--payer', payerId, '--year', String(year)]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--practice: practice no-such-practice not found');
  });
});
