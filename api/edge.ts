/**
 * The API edge: where the clock is read for date bounds relative to today, and where every request
 * value is checked once more for what PostgreSQL and Temporal cannot hold (NUL, lone surrogates,
 * absurd nesting), whatever the route's schema says. "Accepted means it will finish."
 */
import type { FastifyRequest } from 'fastify';
import { ClaimDocument, claimDateIssues } from '../domain/claim-document';
import { serviceDateIssue, unsafeTextReason } from '../domain/primitives';
import { HttpError } from './errors';

/** Today (UTC) at the edge. */
export const todayUtc = (): string => new Date().toISOString().slice(0, 10);

/** The claim document with its today-relative bounds (date of service ≤ ~2 years ahead, birth date not in the future). */
export const ClaimDocumentAtEdge = ClaimDocument.superRefine((claim, ctx) => {
  for (const issue of claimDateIssues(claim, todayUtc())) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
});

export function checkServiceDateAhead(serviceDate: string, field = 'serviceDate'): void {
  const issue = serviceDateIssue(serviceDate, todayUtc());
  if (issue) throw new HttpError(400, 'invalid_request', `${field}: ${issue}`, { issues: [{ path: field, message: issue }] });
}

/** Bodies are JSON trees of at most this depth (the deepest schema is ~6). */
export const MAX_JSON_DEPTH = 32;

/** First value in a parsed request part that cannot be stored, with its dotted path. */
export function unstorableValue(value: unknown, root: string): { path: string; message: string } | undefined {
  const stack: Array<{ v: unknown; path: string; depth: number }> = [{ v: value, path: root, depth: 0 }];
  while (stack.length) {
    const { v, path, depth } = stack.pop()!;
    if (depth > MAX_JSON_DEPTH) return { path, message: `nested deeper than ${MAX_JSON_DEPTH} levels` };
    if (typeof v === 'string') {
      const reason = unsafeTextReason(v);
      if (reason) return { path, message: reason };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: path ? `${path}.${i}` : String(i), depth: depth + 1 });
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        const keyReason = unsafeTextReason(k);
        if (keyReason) return { path: path || '(root)', message: `a key ${keyReason}` };
        stack.push({ v: x, path: path ? `${path}.${k}` : k, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/**
 * preValidation hook: params, query string and JSON bodies free of NUL, lone surrogates and
 * absurd nesting → else 400 naming the path. (X12 text bodies are checked by the 835 reader with
 * segment positions.)
 */
export async function edgeGuard(request: FastifyRequest): Promise<void> {
  const parts: Array<[string, unknown]> = [
    ['params', request.params],
    ['query', request.query],
  ];
  if (typeof request.body !== 'string') parts.push(['body', request.body]);
  for (const [part, value] of parts) {
    const bad = unstorableValue(value, '');
    if (bad) {
      const path = bad.path || '(root)';
      throw new HttpError(400, 'invalid_request', `invalid ${part}: ${path}: ${bad.message}`, { issues: [{ path, message: bad.message }] });
    }
  }
}
