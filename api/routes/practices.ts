/**
 * /api/practices: practice master data. An admin onboards a practice (POST) and changes it
 * (PATCH); everyone reads the practices in their scope. Field errors name the field (invalid NPI
 * check digit, malformed tax id, unknown IANA time zone). The clearinghouse's identifiers for the
 * practice (ISA/GS submitter and receiver ids) are kept here, null until onboarding fills them in.
 * Creating a practice creates its daily Schedule (06:00 in its time zone, lib/schedules.ts);
 * changing its time zone moves the Schedule.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BusinessId } from '../../domain/claim-document';
import { isValidNpi } from '../../domain/npi';
import { isValidTaxId, isValidTimeZone, normalizeTaxId } from '../../domain/practice';
import { conflict, notFound } from '../errors';
import { X12Text } from '../../domain/primitives';
import { ensureDailySchedule, setDailyScheduleTimeZone } from '../../lib/schedules';
import { practiceOutboundPayerIds, replaceOutboundPayerIds } from '../clearinghouse';

const Address = z.object({
  line1: z.string().trim().pipe(X12Text(55, 1)),
  line2: z.string().trim().pipe(X12Text(55)).optional(),
  city: z.string().trim().pipe(X12Text(30, 1)),
  state: z.string().regex(/^[A-Z]{2}$/, 'a 2-letter state code, e.g. IL'),
  zip: z.string().regex(/^\d{5}(\d{4})?$/, 'a ZIP code of 5 or 9 digits'),
});
/** X12 ISA06/ISA08 ids are at most 15 characters of the basic character set. */
const X12Id = z.string().regex(/^[A-Za-z0-9 ._-]{1,15}$/, 'up to 15 letters, digits, space, ".", "_" or "-"');
/** A payer id as the clearinghouse knows it (2010BB / 2330B NM109: 2 to 80 characters). */
const ClearinghousePayerId = z.string().regex(/^[A-Za-z0-9 ._-]{2,80}$/, '2 to 80 letters, digits, space, ".", "_" or "-"');
/** Names in NM103 / PER02: no X12 delimiters. */
const X12Name = z.string().trim().min(1).max(60).regex(/^[^*~:^|>\\\r\n]*$/, 'up to 60 characters without X12 delimiters (* ~ : ^ | > \\)');
const profile = {
  submitterId: X12Id,
  receiverId: X12Id,
  /** 1000B NM103. */
  receiverName: X12Name,
  /** 1000A PER02. */
  contactName: X12Name,
  contactPhone: z.string().regex(/^\d{10}$/, 'a 10-digit US phone number, digits only'),
  contactEmail: z.string().email().max(80),
  /** Our payer id -> the payer id as the clearinghouse knows it (null removes the mapping). */
  payerIds: z.record(z.string(), ClearinghousePayerId.nullable()),
};
/** POST: a profile given at onboarding names the submitter, receiver and contact. */
const Clearinghouse = z.object({
  ...profile,
  contactPhone: profile.contactPhone.optional(),
  contactEmail: profile.contactEmail.optional(),
  payerIds: profile.payerIds.optional(),
}).strict();
/** PATCH: any part of the profile; null clears a field. */
const ClearinghousePatch = z.object({
  submitterId: X12Id.nullable(),
  receiverId: X12Id.nullable(),
  receiverName: X12Name.nullable(),
  contactName: X12Name.nullable(),
  contactPhone: profile.contactPhone.nullable(),
  contactEmail: profile.contactEmail.nullable(),
  payerIds: profile.payerIds,
}).partial().strict();
type ClearinghouseInput = z.infer<typeof ClearinghousePatch>;

const fields = {
  /** NM1*85 billing provider name: no X12 delimiter. */
  name: z.string().trim().pipe(X12Text(60, 1)),
  taxId: z.string().refine(isValidTaxId, 'malformed tax id: an EIN is 9 digits (NN-NNNNNNN) with a prefix the IRS assigns'),
  billingNpi: z.string().refine(isValidNpi, 'not a valid NPI (10 digits with a Luhn check digit, prefix 80840)'),
  address: Address,
  phone: z.string().regex(/^\d{10}$/, 'a 10-digit US phone number, digits only'),
  timeZone: z.string().refine(isValidTimeZone, 'unknown IANA time zone (e.g. America/Chicago)'),
  clearinghouse: Clearinghouse.optional(),
};
export const PracticeBody = z.object({ practiceId: BusinessId, ...fields });
export const PracticePatch = z.object({ ...fields, clearinghouse: ClearinghousePatch }).partial().strict();

const PracticeParams = z.object({ practiceId: BusinessId });

export type PracticeRow = Record<string, any>;

export const practiceView = (r: PracticeRow, payerIds: Record<string, string> = {}) => ({
  practiceId: r.id as string,
  name: r.name as string,
  taxId: r.tax_id ?? undefined,
  billingNpi: r.billing_npi ?? undefined,
  address: r.address ? { line1: r.address.line1, line2: r.address.line2 ?? undefined, city: r.address.city, state: r.address.state, zip: r.address.zip } : undefined,
  phone: r.phone ?? r.address?.phone ?? undefined,
  timeZone: r.time_zone as string,
  clearinghouse: {
    submitterId: r.clearinghouse_submitter_id ?? null,
    receiverId: r.clearinghouse_receiver_id ?? null,
    receiverName: r.clearinghouse_receiver_name ?? null,
    contactName: r.clearinghouse_contact_name ?? null,
    contactPhone: r.clearinghouse_contact_phone ?? null,
    contactEmail: r.clearinghouse_contact_email ?? null,
    payerIds,
  },
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

/**
 * Columns from a (partial) body. The address JSON keeps the phone (and an email already there):
 * the 837P's submitter contact (1000A PER) is read from it.
 */
function columns(body: Omit<Partial<z.infer<typeof PracticeBody>>, 'clearinghouse'> & { clearinghouse?: ClearinghouseInput }, current?: PracticeRow): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (body.name !== undefined) out.name = body.name;
  if (body.taxId !== undefined) out.tax_id = normalizeTaxId(body.taxId);
  if (body.billingNpi !== undefined) out.billing_npi = body.billingNpi;
  if (body.timeZone !== undefined) out.time_zone = body.timeZone;
  if (body.phone !== undefined) out.phone = body.phone;
  if (body.address !== undefined || body.phone !== undefined) {
    const base = { ...(current?.address ?? {}) };
    const address = body.address ? { ...body.address, email: base.email } : base;
    out.address = JSON.stringify({ ...address, phone: body.phone ?? current?.phone ?? base.phone });
  }
  const ch = body.clearinghouse;
  if (ch?.submitterId !== undefined) out.clearinghouse_submitter_id = ch.submitterId;
  if (ch?.receiverId !== undefined) out.clearinghouse_receiver_id = ch.receiverId;
  if (ch?.receiverName !== undefined) out.clearinghouse_receiver_name = ch.receiverName;
  if (ch?.contactName !== undefined) out.clearinghouse_contact_name = ch.contactName;
  if (ch?.contactPhone !== undefined) out.clearinghouse_contact_phone = ch.contactPhone;
  if (ch?.contactEmail !== undefined) out.clearinghouse_contact_email = ch.contactEmail;
  return out;
}

export async function practiceRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post('/practices', { schema: { body: PracticeBody }, config: { access: { level: 'admin' } } }, async (request, reply) => {
    const body = request.body;
    // The practice, its clearinghouse payer ids and its daily Schedule (06:00 in its time zone)
    // together: a Temporal that does not answer rolls the practice back (503), so no practice is left
    // without its daily jobs.
    const view = await app.db.transaction(async (trx) => {
      const [row] = await trx('practices')
        .insert({ id: body.practiceId, ...columns(body) })
        .onConflict('id')
        .ignore()
        .returning('*');
      if (!row) throw conflict(`practice ${body.practiceId} already exists`, { practiceId: body.practiceId });
      await replaceOutboundPayerIds(trx, body.practiceId, body.clearinghouse?.payerIds ?? {});
      await ensureDailySchedule(app.temporal, row.id, row.time_zone);
      return practiceView(row, await practiceOutboundPayerIds(trx, body.practiceId));
    });
    return reply.status(201).header('Location', `/api/practices/${encodeURIComponent(body.practiceId)}`).send(view);
  });

  app.get('/practices', { config: { access: { level: 'read', list: true } } }, async (request) => {
    const rows = await request.access.scoped(app.db('practices'), 'id').orderBy('id');
    const mapped = await app.db('payer_identifiers').whereIn('practice_id', rows.map((r: PracticeRow) => r.id)).where({ outbound: true }).orderBy('payer_id').select('practice_id', 'payer_id', 'identifier');
    const byPractice = new Map<string, Record<string, string>>();
    for (const m of mapped) byPractice.set(m.practice_id, { ...(byPractice.get(m.practice_id) ?? {}), [m.payer_id]: m.identifier });
    return { practices: rows.map((r: PracticeRow) => practiceView(r, byPractice.get(r.id))) };
  });

  app.get('/practices/:practiceId', { schema: { params: PracticeParams }, config: { access: { level: 'read', entity: 'practice' } } }, async (request) => {
    const row = await app.db('practices').where({ id: request.params.practiceId }).first();
    if (!row) throw notFound(`practice ${request.params.practiceId}`);
    return practiceView(row, await practiceOutboundPayerIds(app.db, row.id));
  });

  app.patch('/practices/:practiceId', { schema: { params: PracticeParams, body: PracticePatch }, config: { access: { level: 'admin', entity: 'practice' } } }, async (request) => {
    const { practiceId } = request.params;
    const updated = await app.db.transaction(async (trx) => {
      const current = await trx('practices').where({ id: practiceId }).forUpdate().first();
      if (!current) throw notFound(`practice ${practiceId}`);
      const [row] = await trx('practices').where({ id: practiceId }).update({ ...columns(request.body, current), updated_at: trx.fn.now() }).returning('*');
      await replaceOutboundPayerIds(trx, practiceId, request.body.clearinghouse?.payerIds ?? {});
      // Its daily Schedule moves with it to the new time zone (before the change commits).
      if (row.time_zone !== current.time_zone) await setDailyScheduleTimeZone(app.temporal, practiceId, row.time_zone);
      return practiceView(row, await practiceOutboundPayerIds(trx, practiceId));
    });
    return updated;
  });
}
