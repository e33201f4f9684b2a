import { startOfDateIn } from '../lib/time-zone';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueId } from '../test/harness';
import { tfesiAppointment } from '../test/fixtures';
import { startEligAuthHarness, waitFor } from '../test/eligibility-auth-harness';
import { addCalendarDays } from '../domain/business-days';
import { practiceToday } from '../db/kpis';

let h: Awaited<ReturnType<typeof startEligAuthHarness>>;
beforeAll(async () => {
  h = await startEligAuthHarness();
});
afterAll(async () => h?.close());

const today = () => new Date().toISOString().slice(0, 10);
const body = (over: Record<string, unknown> = {}) => ({ ...tfesiAppointment(uniqueId('APPT'), uniqueId('PT'), addCalendarDays(today(), 20)), ...over });

describe('POST /api/appointments → eligibilityWorkflow', () => {
  it('201 starts eligibility:<appointmentId>; GET shows the status and the next ELIG-1 check', async () => {
    const b = body();
    const res = await h.app.inject({ method: 'POST', url: '/api/appointments', headers: h.auth('biller'), payload: b });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ appointmentId: b.appointmentId, workflowId: `eligibility:${b.appointmentId}`, status: 'scheduled' });
    expect(res.headers.location).toBe(`/api/appointments/${b.appointmentId}`);
    const got = await waitFor(async () => {
      const g = await h.app.inject({ method: 'GET', url: `/api/appointments/${b.appointmentId}`, headers: h.auth() });
      return g.statusCode === 200 && g.json().nextCheck ? g.json() : undefined;
    }, 'appointment read');
    // The check runs when its date begins where the practice is (issue 13), not at 00:00 UTC.
    const { time_zone: timeZone } = await h.db('practices').where({ id: b.practiceId }).first('time_zone');
    expect(got).toMatchObject({ status: 'scheduled', serviceDate: b.serviceDate, nextCheck: { ruleId: 'ELIG-1', at: startOfDateIn(addCalendarDays(b.serviceDate, -3), timeZone) } });
  });

  it('an appointment 2 days ahead is verified at once (ELIG-1), and reschedule re-verifies (200 with state)', async () => {
    const b = body({ serviceDate: addCalendarDays(today(), 2) });
    expect((await h.app.inject({ method: 'POST', url: '/api/appointments', headers: h.auth(), payload: b })).statusCode).toBe(201);
    const got = await waitFor(async () => {
      const g = (await h.app.inject({ method: 'GET', url: `/api/appointments/${b.appointmentId}`, headers: h.auth() })).json();
      return g.checks?.length ? g : undefined;
    }, 'first check');
    expect(got.checks[0]).toMatchObject({ kind: '3_day', result: 'verified', checkedOn: today() });
    const moved = await h.app.inject({ method: 'POST', url: `/api/appointments/${b.appointmentId}/actions/reschedule`, headers: h.auth(), payload: { serviceDate: addCalendarDays(today(), 30) } });
    expect(moved.statusCode).toBe(200);
    expect(moved.json().state).toMatchObject({ serviceDate: addCalendarDays(today(), 30), status: 'verified' });
    expect(moved.json().state.checks.map((c: { kind: string }) => c.kind)).toEqual(['3_day', 'rescheduled']);
  });

  it('400 names the field: a date of service in the past, levels not in the region, unknown payer/practice', async () => {
    const past = await h.app.inject({ method: 'POST', url: '/api/appointments', headers: h.auth(), payload: body({ serviceDate: addCalendarDays(today(), -1) }) });
    expect(past.statusCode).toBe(400);
    expect(past.json().issues[0].path).toBe('serviceDate');
    const levels = await h.app.inject({ method: 'POST', url: '/api/appointments', headers: h.auth(), payload: body({ region: 'cervical', cpts: ['64479'], levels: ['L4-L5'] }) });
    expect(levels.statusCode).toBe(400);
    expect(levels.json().issues.map((i: { path: string }) => i.path)).toEqual(['levels.0']);
    const payer = await h.app.inject({ method: 'POST', url: '/api/appointments', headers: h.auth(), payload: body({ payerId: 'NOPE' }) });
    expect(payer.statusCode).toBe(400);
    expect(payer.json().issues[0].path).toBe('payerId');
    const practice = await h.app.inject({ method: 'POST', url: '/api/appointments', headers: h.auth(), payload: body({ practiceId: 'nope-practice' }) });
    expect(practice.json().issues[0].path).toBe('practiceId');
    const bad = await h.app.inject({ method: 'POST', url: '/api/appointments', headers: h.auth(), payload: body({ serviceDate: '2026-02-30', cpts: [] }) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['serviceDate', 'cpts']));
  });

  it('"in the past" is by the practice\'s date: a practice a day behind UTC may book its today; one a day ahead may not book the UTC date', async () => {
    // Whatever the hour, one of these zones is on another date than UTC: UTC-12 before 12:00 UTC, UTC+14 from 10:00.
    const behind = new Date().getUTCHours() < 11;
    const timeZone = behind ? 'Etc/GMT+12' : 'Etc/GMT-14';
    const practiceId = uniqueId('zone-practice').toLowerCase();
    await h.db('practices').insert({ id: practiceId, name: `Zone test ${timeZone}`, tax_id: '990000099', billing_npi: '1456789019', phone: '2175550100', time_zone: timeZone, address: { line1: '1 Test Way', city: 'Springfield', state: 'IL', zip: '627011234' } });
    const local = practiceToday(timeZone);
    expect(local).not.toBe(today());
    if (behind) {
      // Its today is yesterday in UTC: bookable, and verified at once (both checks are due).
      const b = body({ practiceId, serviceDate: local });
      const res = await h.app.inject({ method: 'POST', url: '/api/appointments', headers: h.auth(), payload: b });
      expect(res.statusCode, res.body).toBe(201);
      const got = await waitFor(async () => {
        const g = (await h.app.inject({ method: 'GET', url: `/api/appointments/${b.appointmentId}`, headers: h.auth() })).json();
        return g.checks?.length ? g : undefined;
      }, 'the check for an appointment today');
      expect(got.checks[0]).toMatchObject({ result: 'verified' });
    } else {
      // Its today is tomorrow in UTC: the UTC date has passed there.
      const res = await h.app.inject({ method: 'POST', url: '/api/appointments', headers: h.auth(), payload: body({ practiceId, serviceDate: today() }) });
      expect(res.statusCode).toBe(400);
      expect(res.json().issues[0]).toMatchObject({ path: 'serviceDate', message: expect.stringContaining(`today is ${local} where the practice is`) });
    }
  });

  it('409 when the appointment exists; 404 for an unknown one; 409 for an action on a cancelled one', async () => {
    const b = body();
    expect((await h.app.inject({ method: 'POST', url: '/api/appointments', headers: h.auth(), payload: b })).statusCode).toBe(201);
    const again = await h.app.inject({ method: 'POST', url: '/api/appointments', headers: h.auth(), payload: b });
    expect(again.statusCode).toBe(409);
    expect((await h.app.inject({ method: 'GET', url: '/api/appointments/NEVER-SEEN', headers: h.auth() })).statusCode).toBe(404);
    await waitFor(async () => (await h.db('appointments').where({ appointment_id: b.appointmentId }).first()) ?? undefined, 'row');
    const cancel = await h.app.inject({ method: 'POST', url: `/api/appointments/${b.appointmentId}/actions/cancel`, headers: h.auth(), payload: { reason: 'patient request' } });
    expect(cancel.statusCode).toBe(200);
    expect(cancel.json().state.status).toBe('cancelled');
    const late = await h.app.inject({ method: 'POST', url: `/api/appointments/${b.appointmentId}/actions/reverify`, headers: h.auth(), payload: {} });
    expect(late.statusCode).toBe(409);
  });
});
