/**
 * Payers and the practice's contracts with them (issue 13).
 *
 * - `GET /api/payers` (everyone), `POST /api/payers` (admin): the payers of the installation and
 *   their defaults (DOMAIN.md §4 by type, with the payer's own overrides).
 * - `GET /api/practices/:practiceId/contracts[?year=]`: the latest version of each contract.
 * - `GET /api/practices/:practiceId/contracts/:payerId/:year[?version=]`: one contract (a version)
 *   and the effective terms, each field saying whether the contract or the payer default applies;
 *   `Accept: text/csv` answers the fee schedule as CSV.
 * - `PUT …/:payerId/:year`: a new version, from JSON (every term) or `text/csv` (the fee schedule;
 *   the other terms carried over from the latest version). Row-numbered errors; nothing stored from
 *   a file with an error. Terms equal to the latest version's store nothing (200).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BusinessId } from '../../domain/primitives';
import { PayerPolicyOverrides, PayerType, resolvePayerPolicy, isKnownPayer, defaultPolicyForType } from '../../domain/payer-policy';
import { ContractBody } from '../../domain/practice-contract';
import { describeCsvError, feeScheduleCsv, parseFeeScheduleCsv } from '../../domain/contract-csv';
import { ContractError, listContracts, loadContractVersion, loadEffectiveContract, saveContractVersion, saveFeeScheduleVersion, type ContractHead } from '../../db/contracts';
import { loadPayerPolicy } from '../../db/payers';
import { HttpError, badRequest, conflict, notFound } from '../errors';

const Year = z.coerce.number().int().min(2000).max(2100);
const PracticeParams = z.object({ practiceId: BusinessId });
const ContractParams = z.object({ practiceId: BusinessId, payerId: BusinessId, year: Year });

const PayerBody = z
  .object({
    payerId: BusinessId,
    name: z.string().trim().min(1).max(80),
    type: PayerType,
    /** Any field of the payer policy that differs from the type's defaults (DOMAIN.md §4). */
    policy: PayerPolicyOverrides.optional(),
  })
  .strict();

function payerView(row: { id: string; name: string; type: string }, policy: Awaited<ReturnType<typeof loadPayerPolicy>>) {
  return {
    payerId: row.id,
    name: row.name,
    type: String(row.type).toLowerCase(),
    defaults: {
      timelyFilingDays: policy.timelyFilingDays,
      appealWindowDays: policy.appealWindowDays,
      multipleProcedureReductionPercent: policy.multipleProcedureReductionPercent,
      bilateralPaymentPercent: policy.bilateralPaymentPercent,
      priorAuthFamilies: policy.priorAuthFamilies,
    },
  };
}

function toHttp(err: unknown): never {
  if (err instanceof ContractError) {
    if (err.kind === 'not_found') throw notFound(err.message.replace(/ not found$/, ''));
    throw badRequest(err.message, err.field);
  }
  throw err;
}

export async function contractRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get('/payers', { config: { access: { level: 'read' } } }, async () => {
    const rows = await app.db('payers').orderBy('id').select('id', 'name', 'type');
    return { payers: await Promise.all(rows.map(async (r) => payerView(r, await loadPayerPolicy(app.db, r.id)))) };
  });

  app.post('/payers', { schema: { body: PayerBody }, config: { access: { level: 'admin' } } }, async (request, reply) => {
    const b = request.body;
    // A built-in id keeps its built-in defaults; another id starts from its type's.
    const base = isKnownPayer(b.payerId) ? resolvePayerPolicy(b.payerId) : defaultPolicyForType(b.type);
    if (isKnownPayer(b.payerId) && base.type !== b.type) throw badRequest(`payer ${b.payerId} is a built-in ${base.type} payer`, 'type');
    const [row] = await app.db('payers')
      .insert({ id: b.payerId, name: b.name, type: b.type.toUpperCase(), policy: JSON.stringify(b.policy ?? {}) })
      .onConflict('id')
      .ignore()
      .returning(['id', 'name', 'type']);
    if (!row) throw conflict(`payer ${b.payerId} already exists`, { payerId: b.payerId });
    return reply.status(201).header('Location', '/api/payers').send(payerView(row, await loadPayerPolicy(app.db, b.payerId)));
  });

  app.get(
    '/practices/:practiceId/contracts',
    { schema: { params: PracticeParams, querystring: z.object({ year: Year.optional() }) }, config: { access: { level: 'read', entity: 'practice' } } },
    async (request) => {
      const { practiceId } = request.params;
      if (!(await app.db('practices').where({ id: practiceId }).first('id'))) throw notFound(`practice ${practiceId}`);
      return { practiceId, contracts: await listContracts(app.db, practiceId, request.query.year) };
    },
  );

  app.get(
    '/practices/:practiceId/contracts/:payerId/:year',
    { schema: { params: ContractParams, querystring: z.object({ version: z.coerce.number().int().min(1).max(1_000_000).optional() }) }, config: { access: { level: 'read', entity: 'practice' } } },
    async (request, reply) => {
      const { practiceId, payerId, year } = request.params;
      const key = { practiceId, payerId, year };
      const [practice, payer] = await Promise.all([app.db('practices').where({ id: practiceId }).first('id'), app.db('payers').where({ id: payerId }).first('id')]);
      if (!practice) throw notFound(`practice ${practiceId}`);
      if (!payer) throw notFound(`payer ${payerId}`);
      const version = request.query.version;
      const contract = await loadContractVersion(app.db, key, version);
      if (version !== undefined && !contract) throw notFound(`version ${version} of the ${year} ${payerId} contract of practice ${practiceId}`);
      const effective = await loadEffectiveContract(app.db, practiceId, payerId, year);
      if (String(request.headers.accept ?? '').includes('text/csv')) {
        const fees = contract?.fees.length
          ? contract.fees
          : Object.entries(effective.feeSchedule.allowableCents).map(([cpt, allowableCents]) => ({ cpt, allowableCents }));
        return reply.type('text/csv; charset=utf-8').send(feeScheduleCsv(fees));
      }
      const versions = await app.db('payer_contracts').where({ practice_id: practiceId, payer_id: payerId, year }).orderBy('version').select('version', 'created_at', 'created_by', 'source', 'fee_count');
      return {
        practiceId,
        payerId,
        year,
        source: contract ? 'contract' : 'payer_default',
        version: contract?.version ?? null,
        versions: versions.map((v) => ({ version: v.version, createdAt: new Date(v.created_at).toISOString(), createdBy: v.created_by, source: v.source, feeCount: v.fee_count })),
        contract: contract ?? null,
        effective: {
          source: effective.source,
          version: effective.version,
          sources: effective.sources,
          multipleProcedureReductionPercent: effective.multipleProcedureReductionPercent,
          bilateralPaymentPercent: effective.bilateralPaymentPercent,
          timelyFilingDays: effective.timelyFilingDays,
          appealWindowDays: effective.appealWindowDays,
          priorAuthFamilies: effective.priorAuthFamilies,
          imagingGuidanceCodes: effective.imagingGuidanceCodes,
          feeScheduleYear: effective.feeSchedule.year,
          feeCount: Object.keys(effective.feeSchedule.allowableCents).length,
        },
      };
    },
  );

  app.put(
    '/practices/:practiceId/contracts/:payerId/:year',
    { bodyLimit: 4 * 1024 * 1024, schema: { params: ContractParams }, config: { access: { level: 'write', entity: 'practice' } } },
    async (request, reply) => {
      const { practiceId, payerId, year } = request.params;
      const key = { practiceId, payerId, year };
      const body = request.body;
      const contentType = String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      let result: { created: boolean; contract: ContractHead };
      let rows: number | undefined;
      try {
        if (typeof body === 'string' && contentType === 'text/csv') {
          const parsed = parseFeeScheduleCsv(body);
          if (!parsed.ok) {
            throw new HttpError(400, 'invalid_csv', `fee schedule refused, nothing stored: ${describeCsvError(parsed.errors[0])}${parsed.errors.length > 1 ? ` (and ${parsed.errors.length - 1} more)` : ''}`, { errors: parsed.errors });
          }
          rows = parsed.rows;
          // The CSV is the fee schedule; the other terms stay as the latest version has them.
          result = await saveFeeScheduleVersion(app.db, key, parsed, { source: 'api-csv', createdBy: request.user!.name });
        } else if (body && typeof body === 'object' && !Array.isArray(body) && contentType !== 'text/csv') {
          const parsed = ContractBody.safeParse(body);
          if (!parsed.success) {
            const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
            throw new HttpError(400, 'invalid_request', `invalid body: ${issues[0].path || '(body)'}: ${issues[0].message}`, { issues });
          }
          result = await saveContractVersion(app.db, key, parsed.data, { source: 'api-json', createdBy: request.user!.name });
        } else {
          throw badRequest('send the contract as application/json, or its fee schedule as text/csv (columns cpt,modifier,allowable,kind)', 'body');
        }
      } catch (err) {
        toHttp(err);
      }
      const location = `/api/practices/${encodeURIComponent(practiceId)}/contracts/${encodeURIComponent(payerId)}/${year}?version=${result.contract.version}`;
      return reply
        .status(result.created ? 201 : 200)
        .header('Location', location)
        .send({ created: result.created, ...(rows !== undefined ? { rows } : {}), contract: result.contract });
    },
  );
}
