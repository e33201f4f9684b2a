/**
 * /api/patients: patient and coverage master data per practice (issue 13).
 *
 * - `POST /api/practices/:practiceId/patients` registers a patient in that practice (the URL names
 *   the practice, so the scope check is the practice's: another practice → 403 naming it).
 * - `GET /api/patients?practiceId=&q=` searches the caller's practices by name ("last", "last,
 *   first", "first last", a prefix of either) or patient id prefix.
 * - `GET/PATCH /api/patients/:patientId[?practiceId=]`: a patient id is unique within a practice; a
 *   caller who sees two practices holding the same id adds `?practiceId=` (409 otherwise).
 * - `POST /api/patients/:patientId/coverages`, `PATCH /api/patients/:patientId/coverages/:coverageId`.
 *
 * Two coverages of one priority whose dates overlap are refused with 422 naming both; every
 * change runs in one transaction holding the patient row's lock, so two concurrent requests cannot
 * both add an overlapping coverage. Every call is written to the access log (`phi: 'patient'`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Knex } from 'knex';
import { z } from 'zod';
import { BusinessId, birthDateIssue } from '../../domain/primitives';
import {
  CoverageBody,
  CoveragePatch,
  PatientBody,
  PatientPatch,
  coverageIssues,
  describeRange,
  displayName,
  overlappingCoverages,
  type Coverage,
} from '../../domain/patient';
import { coverageColumns, coverageFromRow, loadPatient, patientFromRow, type CoverageRecord } from '../../db/patients';
import { todayUtc } from '../edge';
import { HttpError, badRequest, conflict, notFound } from '../errors';

const PatientParams = z.object({ patientId: BusinessId });
const CoverageParams = z.object({ patientId: BusinessId, coverageId: z.string().regex(/^\d{1,15}$/, 'a coverage id (digits)') });
const PracticeQuery = z.object({ practiceId: BusinessId.optional() });

const unprocessable = (message: string, issues: Array<{ path: string; message: string }>, extra?: Record<string, unknown>) =>
  new HttpError(422, 'unprocessable', message, { issues, ...extra });

function checkBirthDate(birthDate: string | undefined, path: string): void {
  const issue = birthDate ? birthDateIssue(birthDate, todayUtc()) : undefined;
  if (issue) throw badRequest(`${path}: ${issue}`, path);
}

function patientColumns(body: z.infer<typeof PatientPatch>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (body.name) {
    out.name = displayName(body.name);
    out.last_name = body.name.last;
    out.first_name = body.name.first;
    out.middle_name = body.name.middle ?? null;
    out.suffix = body.name.suffix ?? null;
  }
  if (body.birthDate !== undefined) out.birth_date = body.birthDate;
  if (body.sex !== undefined) out.sex = body.sex;
  if (body.address !== undefined) out.address = JSON.stringify(body.address);
  if (body.phone !== undefined) out.phone = body.phone;
  return out;
}

async function assertPayers(trx: Knex, payerIds: Array<{ payerId: string; path: string }>): Promise<void> {
  if (!payerIds.length) return;
  const known = new Set<string>(await trx('payers').whereIn('id', [...new Set(payerIds.map((p) => p.payerId))]).pluck('id'));
  const unknown = payerIds.find((p) => !known.has(p.payerId));
  if (unknown) throw badRequest(`${unknown.path}: unknown payer "${unknown.payerId}"`, unknown.path);
}

/** 422 naming both coverages when two of one priority overlap. `label(i)` names coverage i. */
function assertNoOverlap(coverages: Array<Coverage & { id?: number | string }>, label: (i: number) => { path: string; text: string }): void {
  const [pair] = overlappingCoverages(coverages);
  if (!pair) return;
  const [a, b] = pair.map(label);
  const [ca, cb] = pair.map((i) => coverages[i]);
  const message = `${a.text} (${ca.priority} ${describeRange(ca)}) overlaps ${b.text} (${cb.priority} ${describeRange(cb)}): one ${ca.priority} coverage at a time`;
  throw unprocessable(message, [
    { path: a.path, message },
    { path: b.path, message },
  ], { conflicting: [a.path, b.path] });
}

export async function patientRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  /** The patient `patientId` among the caller's practices (and `practiceId` when given). */
  async function resolvePatient(request: FastifyRequest, trx: Knex, patientId: string, practiceId?: string, lock = false): Promise<Record<string, any>> {
    const q = request.access.scoped(trx('patients').where({ id: patientId }));
    if (practiceId) q.where({ practice_id: practiceId });
    if (lock) q.forUpdate();
    const rows = await q.orderBy('practice_id');
    if (!rows.length) throw notFound(`patient ${patientId}`);
    if (rows.length > 1) {
      throw conflict(`patient id ${patientId} exists in practices ${rows.map((r) => r.practice_id).join(', ')}: add ?practiceId= to say which`, { practiceIds: rows.map((r) => r.practice_id) });
    }
    return rows[0];
  }

  async function view(trx: Knex, practiceId: string, patientId: string) {
    const loaded = await loadPatient(trx, practiceId, patientId);
    if (!loaded) throw notFound(`patient ${patientId}`);
    return { ...loaded.patient, registered: Boolean(loaded.patient.name), coverages: loaded.coverages };
  }

  app.post(
    '/practices/:practiceId/patients',
    { schema: { params: z.object({ practiceId: BusinessId }), body: PatientBody }, config: { access: { level: 'write', entity: 'practice', phi: 'patient' } } },
    async (request, reply) => {
      const { practiceId } = request.params;
      const body = request.body;
      checkBirthDate(body.birthDate, 'birthDate');
      body.coverages.forEach((c, i) => checkBirthDate(c.subscriber?.birthDate, `coverages.${i}.subscriber.birthDate`));
      assertNoOverlap(body.coverages, (i) => ({ path: `coverages.${i}`, text: `coverages.${i}` }));
      const created = await app.db.transaction(async (trx) => {
        if (!(await trx('practices').where({ id: practiceId }).first('id'))) throw notFound(`practice ${practiceId}`);
        await assertPayers(trx, body.coverages.map((c, i) => ({ payerId: c.payerId, path: `coverages.${i}.payerId` })));
        const [row] = await trx('patients')
          .insert({ practice_id: practiceId, id: body.patientId, ...patientColumns(body) })
          .onConflict(['practice_id', 'id'])
          .ignore()
          .returning('id');
        if (!row) throw conflict(`patient ${body.patientId} already exists in practice ${practiceId}`, { patientId: body.patientId, practiceId });
        for (const c of body.coverages) await trx('patient_coverages').insert({ practice_id: practiceId, patient_id: body.patientId, ...coverageColumns(c) });
        return view(trx, practiceId, body.patientId);
      });
      return reply
        .status(201)
        .header('Location', `/api/patients/${encodeURIComponent(body.patientId)}?practiceId=${encodeURIComponent(practiceId)}`)
        .send(created);
    },
  );

  const SearchQuery = z.object({
    practiceId: BusinessId.optional(),
    q: z.string().trim().max(100).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  });
  app.get('/patients', { schema: { querystring: SearchQuery }, config: { access: { level: 'read', list: true, phi: 'patient' } } }, async (request) => {
    const { practiceId, q, limit } = request.query;
    const query = request.access.scoped(app.db('patients'));
    if (practiceId) query.where({ practice_id: practiceId });
    const term = (q ?? '').toLowerCase();
    if (term) {
      const like = (s: string) => `${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const [a, b] = term.includes(',') ? term.split(',').map((s) => s.trim()) : term.split(/\s+/);
      query.where((w) => {
        if (b) {
          // "last, first" / "last first" / "first last"
          w.where((x) => x.whereRaw('lower(last_name) like ?', [like(a)]).whereRaw('lower(first_name) like ?', [like(b)]))
            .orWhere((x) => x.whereRaw('lower(first_name) like ?', [like(a)]).whereRaw('lower(last_name) like ?', [like(b)]));
        } else {
          w.whereRaw('lower(last_name) like ?', [like(a)]).orWhereRaw('lower(first_name) like ?', [like(a)]).orWhereRaw('lower(id) like ?', [like(a)]);
        }
      });
    }
    const rows = await query.orderBy([{ column: 'last_name' }, { column: 'first_name' }, { column: 'practice_id' }, { column: 'id' }]).limit(limit);
    return {
      patients: rows.map((r) => {
        const p = patientFromRow(r);
        return { practiceId: p.practiceId, patientId: p.patientId, name: p.name, birthDate: p.birthDate, sex: p.sex, registered: Boolean(p.name) };
      }),
    };
  });

  app.get(
    '/patients/:patientId',
    { schema: { params: PatientParams, querystring: PracticeQuery }, config: { access: { level: 'read', entity: 'patient', phi: 'patient' } } },
    async (request) => {
      const row = await resolvePatient(request, app.db, request.params.patientId, request.query.practiceId);
      return view(app.db, row.practice_id, row.id);
    },
  );

  app.patch(
    '/patients/:patientId',
    { schema: { params: PatientParams, querystring: PracticeQuery, body: PatientPatch }, config: { access: { level: 'write', entity: 'patient', phi: 'patient' } } },
    async (request) => {
      checkBirthDate(request.body.birthDate, 'birthDate');
      return app.db.transaction(async (trx) => {
        const row = await resolvePatient(request, trx, request.params.patientId, request.query.practiceId, true);
        const patch = patientColumns(request.body);
        if (!row.last_name && !request.body.name && Object.keys(patch).length) {
          // A legacy row (name only) becomes registered once it has a legal name in parts.
          throw badRequest('name: this patient has no legal name in parts yet; send name { last, first } with the change', 'name');
        }
        await trx('patients').where({ practice_id: row.practice_id, id: row.id }).update({ ...patch, updated_at: trx.fn.now() });
        return view(trx, row.practice_id, row.id);
      });
    },
  );

  app.post(
    '/patients/:patientId/coverages',
    { schema: { params: PatientParams, querystring: PracticeQuery, body: CoverageBody }, config: { access: { level: 'write', entity: 'patient', phi: 'patient' } } },
    async (request, reply) => {
      const body = request.body;
      checkBirthDate(body.subscriber?.birthDate, 'subscriber.birthDate');
      const coverage = await app.db.transaction(async (trx) => {
        const row = await resolvePatient(request, trx, request.params.patientId, request.query.practiceId, true);
        await assertPayers(trx, [{ payerId: body.payerId, path: 'payerId' }]);
        const existing = (await trx('patient_coverages').where({ practice_id: row.practice_id, patient_id: row.id }).orderBy('id')).map(coverageFromRow);
        const all: Coverage[] = [...existing, body];
        assertNoOverlap(all, (i) => (i === existing.length ? { path: '(body)', text: 'the new coverage' } : { path: `coverages.id=${existing[i].id}`, text: `coverage ${existing[i].id}` }));
        const [created] = await trx('patient_coverages').insert({ practice_id: row.practice_id, patient_id: row.id, ...coverageColumns(body) }).returning('*');
        return coverageFromRow(created);
      });
      return reply.status(201).send(coverage);
    },
  );

  app.patch(
    '/patients/:patientId/coverages/:coverageId',
    { schema: { params: CoverageParams, querystring: PracticeQuery, body: CoveragePatch }, config: { access: { level: 'write', entity: 'patient', phi: 'patient' } } },
    async (request) => {
      const body = request.body;
      checkBirthDate(body.subscriber?.birthDate, 'subscriber.birthDate');
      const coverageId = Number(request.params.coverageId);
      return app.db.transaction(async (trx) => {
        const row = await resolvePatient(request, trx, request.params.patientId, request.query.practiceId, true);
        const existing: CoverageRecord[] = (await trx('patient_coverages').where({ practice_id: row.practice_id, patient_id: row.id }).orderBy('id')).map(coverageFromRow);
        const index = existing.findIndex((c) => c.id === coverageId);
        if (index < 0) throw notFound(`coverage ${coverageId} of patient ${row.id}`);
        const merged = { ...existing[index], ...body, subscriber: body.subscriber === null ? undefined : (body.subscriber ?? existing[index].subscriber) } as CoverageRecord;
        const issues = coverageIssues(merged);
        if (issues.length) throw badRequest(`${issues[0].path.join('.')}: ${issues[0].message}`, issues[0].path.join('.'));
        if (body.payerId) await assertPayers(trx, [{ payerId: body.payerId, path: 'payerId' }]);
        const all = existing.map((c, i) => (i === index ? merged : c));
        assertNoOverlap(all, (i) => (i === index ? { path: '(body)', text: `coverage ${coverageId} as changed` } : { path: `coverages.id=${all[i].id}`, text: `coverage ${all[i].id}` }));
        const [updated] = await trx('patient_coverages')
          .where({ id: coverageId })
          .update({ ...coverageColumns({ ...body, subscriber: body.subscriber }), updated_at: trx.fn.now() })
          .returning('*');
        return coverageFromRow(updated);
      });
    },
  );
}
