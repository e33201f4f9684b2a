/**
 * Which dependency an error says is down or too slow to answer. An outage is not the caller's
 * fault nor a bug: the API answers 503 naming the dependency (with Retry-After), never 500.
 */
import { isGrpcServiceError, ServiceError } from '@temporalio/client';

export type Dependency = 'postgres' | 'temporal';

/** Network-level failures of a connection (pg and the Temporal client both surface these). */
/** gRPC status codes: the server is unreachable, too slow, or shedding load. */
const GRPC_UNAVAILABLE = new Set([14 /* UNAVAILABLE */, 4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */]);
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** PostgreSQL SQLSTATEs that mean "the server is not there right now". */
const PG_UNAVAILABLE = /^(08|57P0[1-3]|53300)/;
const PG_MESSAGES = /^timeout expired$|Connection terminated|Query read timeout|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)/i;

export function unavailableDependency(err: unknown): Dependency | undefined {
  for (let e = err as (Error & { code?: unknown; cause?: unknown }) | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e instanceof ServiceError || isGrpcServiceError(e)) {
      const code = isGrpcServiceError(e) ? e.code : isGrpcServiceError(e.cause) ? e.cause.code : undefined;
      if (code !== undefined && GRPC_UNAVAILABLE.has(code)) return 'temporal';
      continue;
    }
    if (e.name === 'KnexTimeoutError') return 'postgres';
    const code = typeof e.code === 'string' ? e.code : '';
    if (PG_UNAVAILABLE.test(code) || PG_MESSAGES.test(e.message ?? '')) return 'postgres';
    if (CONNECTION_CODES.has(code)) return 'postgres'; // the Temporal client wraps its own in a ServiceError
  }
  return undefined;
}

export const DEPENDENCY_NAMES: Record<Dependency, string> = { postgres: 'PostgreSQL', temporal: 'Temporal' };
