/**
 * One home for the string and date primitives every zod schema uses (claim document,
 * appointments, authorizations, providers, work-item outcomes, deposits, remittances, actions).
 * "Accepted means it will finish": a value these schemas accept can be held by PostgreSQL (no NUL
 * byte in text or jsonb), by Temporal (well-formed UTF-16: no lone surrogate; bounded sizes) and by
 * the workflows' date arithmetic (the business-day table covers 2000–2099).
 *
 * Pure: no clock. Bounds relative to today (a date of service at most ~2 years ahead, a birth date
 * not in the future) take `today` as an argument; the API reads the clock at the edge.
 */
import { z } from 'zod';

/** Why a string cannot be stored as text, or undefined when it can. */
export function unsafeTextReason(s: string): string | undefined {
  if (s.includes('\u0000')) return 'contains a NUL character (\\u0000)';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return 'contains a lone UTF-16 surrogate (not valid Unicode text)';
    }
    if (c >= 0xdc00 && c <= 0xdfff) return 'contains a lone UTF-16 surrogate (not valid Unicode text)';
  }
  return undefined;
}

export const isStorableText = (s: string): boolean => unsafeTextReason(s) === undefined;

/**
 * Free text with a maximum length (in code points, as zod counts), never NUL or a lone surrogate.
 * `Text(80)` is 0–80 characters; `Text(80, 1)` is 1–80.
 */
export function Text(max: number, min = 0) {
  let s = z.string();
  if (min > 0) s = s.min(min);
  return s.max(max).superRefine((v, ctx) => {
    const reason = unsafeTextReason(v);
    if (reason) ctx.addIssue({ code: 'custom', message: reason });
  });
}

/** The characters an X12 5010 interchange from this product uses as delimiters (element `*`, component `:`, repetition `^`, segment `~`), and line breaks. */
export const X12_DELIMITERS = /[*~^:\r\n]/;

/**
 * Free text that travels into an X12 element (member id, patient account number, authorization
 * number): `Text` plus no X12 delimiter, refused at the edge because a generated 837P/270/278
 * cannot carry it — accepted means it will finish.
 */
export function X12Text(max: number, min = 0) {
  return Text(max, min).refine((v) => !X12_DELIMITERS.test(v), {
    message: 'contains an X12 delimiter (* ~ ^ :) or a line break, which an X12 claim cannot carry',
  });
}

/** Business identifiers end up in workflow ids and URLs: keep them to a safe alphabet. */
export const BusinessId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only');

/** Widest range any date may take: PostgreSQL, ISO strings and the calendar code all hold it. */
export const DATE_MIN = '1900-01-01';
export const DATE_MAX = '2100-12-31';
/** Dates the workflows do business-day arithmetic on (the holiday table covers 2000–2099). */
export const WORKFLOW_DATE_MIN = '2000-01-01';
export const WORKFLOW_DATE_MAX = '2098-12-31';
/** An expiry date (license, DEA, malpractice, authorization window) is not past 2100. */
export const EXPIRY_MAX = '2099-12-31';
/** A date of service is not before 2000 nor more than this many days after today. */
export const SERVICE_DATE_MIN = '2000-01-01';
export const SERVICE_DATE_MAX_DAYS_AHEAD = 730;

export function isRealCalendarDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** A calendar date `YYYY-MM-DD` that actually exists (2026-02-30 is refused) between `min` and `max`. */
export function DateBetween(min: string, max: string) {
  return z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
    .superRefine((s, ctx) => {
      if (!isRealCalendarDate(s)) return void ctx.addIssue({ code: 'custom', message: 'not a real calendar date' });
      if (s < min || s > max) ctx.addIssue({ code: 'custom', message: `must be between ${min} and ${max}` });
    });
}

/** Any date: a real calendar date within 1900-01-01…2100-12-31. */
export const IsoDate = DateBetween(DATE_MIN, DATE_MAX);
/** A date the workflows compute business-day deadlines from. */
export const WorkflowDate = DateBetween(WORKFLOW_DATE_MIN, WORKFLOW_DATE_MAX);
/** An expiry date: not past 2100. */
export const ExpiryDate = DateBetween(DATE_MIN, EXPIRY_MAX);
/** A date of service (the upper bound relative to today is `serviceDateIssue`, checked at the edge). */
export const ServiceDate = DateBetween(SERVICE_DATE_MIN, WORKFLOW_DATE_MAX);
/** A birth date (not in the future: `birthDateIssue`, checked at the edge). */
export const BirthDate = DateBetween(DATE_MIN, DATE_MAX);

/** Add whole days to a `YYYY-MM-DD` date (UTC calendar arithmetic). */
function plusDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A date of service more than ~2 years after `today` is a typo, not a booking. */
export function serviceDateIssue(serviceDate: string, today: string): string | undefined {
  const latest = plusDays(today, SERVICE_DATE_MAX_DAYS_AHEAD);
  return serviceDate > latest ? `a date of service must not be more than ${SERVICE_DATE_MAX_DAYS_AHEAD} days ahead (latest ${latest})` : undefined;
}

export function birthDateIssue(birthDate: string, today: string): string | undefined {
  return birthDate > today ? `a birth date cannot be in the future (today is ${today})` : undefined;
}

/** Money in integer cents, bounded so sums stay exact and fit PostgreSQL bigint. */
export const Cents = z.number().int().min(-1_000_000_000_00).max(1_000_000_000_00);
export const NonNegativeCents = z.number().int().min(0).max(1_000_000_000_00);

/**
 * Arbitrary JSON (work-item outcomes): every key and string storable, bounded depth, key count and
 * string length. Returns the first problem with its path, or undefined.
 */
export function jsonIssue(value: unknown, limits = { depth: 8, keys: 200, stringLength: 10_000 }): { path: Array<string | number>; message: string } | undefined {
  let keys = 0;
  const stack: Array<{ v: unknown; path: Array<string | number> }> = [{ v: value, path: [] }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (path.length > limits.depth) return { path, message: `nested deeper than ${limits.depth} levels` };
    if (typeof v === 'string') {
      if (v.length > limits.stringLength) return { path, message: `longer than ${limits.stringLength} characters` };
      const reason = unsafeTextReason(v);
      if (reason) return { path, message: reason };
    } else if (Array.isArray(v)) {
      keys += v.length;
      if (keys > limits.keys) return { path, message: `more than ${limits.keys} values` };
      v.forEach((x, i) => stack.push({ v: x, path: [...path, i] }));
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (++keys > limits.keys) return { path, message: `more than ${limits.keys} values` };
        const reason = unsafeTextReason(k);
        if (reason || k.length > 200) return { path: [...path, k], message: reason ? `key ${reason}` : 'key longer than 200 characters' };
        stack.push({ v: x, path: [...path, k] });
      }
    }
  }
  return undefined;
}

/** A JSON object of free-form values (work-item outcomes) that PostgreSQL jsonb and Temporal can hold. */
export const StorableRecord = z.record(z.string(), z.unknown()).superRefine((v, ctx) => {
  const issue = jsonIssue(v);
  if (issue) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
});
