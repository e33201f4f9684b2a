/**
 * Shared by the appointment and authorization routes: run a staff action (a Temporal Update) and
 * map a refusal to HTTP — 422 for a rule the action breaks (ApplicationFailure type RuleViolation),
 * 409 for an action the workflow's state does not allow — with the workflow's reason.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import { REFUSAL } from '../../contracts/authorization';
import { HttpError, conflict, notFound } from '../errors';

export function parseActionBody<T extends z.ZodType>(schema: T, body: unknown, action: string): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    throw new HttpError(400, 'invalid_request', `invalid body for action ${action}`, {
      issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message })),
    });
  }
  return parsed.data;
}

export function mapUpdateError(err: unknown, what: string, exists: boolean): HttpError | undefined {
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure && cause.type === REFUSAL.ruleViolation) return new HttpError(422, 'refused', cause.message);
    return new HttpError(409, 'refused', cause?.message ?? err.message);
  }
  if (err instanceof WorkflowNotFoundError) return exists ? conflict(`${what} is closed; no action is possible`) : notFound(what);
  const message = (err as Error)?.message ?? '';
  if (/already completed|workflow execution.*(completed|closed)/i.test(message)) return conflict(`${what} is closed; no action is possible`);
  return undefined;
}
