/** Calls to the product's own API with the session cookie (never a token in script reach). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly body: { error?: string; message?: string; field?: string; issues?: Array<{ path: string; message: string }> }) {
    super(body.message ?? `HTTP ${status}`);
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      // Changes made with the session cookie carry this header (CSRF guard, api/app.ts).
      ...(init.method && init.method !== 'GET' ? { 'x-rcm-web': '1' } : {}),
    },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  const text = await res.text();
  const body = text ? JSON.parse(text) : {};
  if (!res.ok) throw new ApiError(res.status, body);
  return body as T;
}

export type Me = { name: string; role: 'admin' | 'biller' | 'approver' | 'viewer' | 'provider'; practiceIds: string[] | '*'; practices: Array<{ practiceId: string; name: string; timeZone: string }> };
export type Kpi = { key: string; name: string; value: number | null; unit: string; definition: string; target: string; band: 'good' | 'watch' | 'bad' | 'no_data'; detail?: string };
export type AgingRow = { payerId: string; b0_30: number; b31_60: number; b61_90: number; b90plus: number; totalCents: number };
export type Deadline = { kind: string; id: string; what: string; due: string; daysLeft: number; ruleId?: string };
export type Dashboard = { practiceId: string; practiceName: string; asOf: string; computedAt: string; queryMs: number; kpis: Kpi[]; aging: AgingRow[]; deadlines: Deadline[]; activity: Array<{ claimId: string; from: string | null; to: string; at: string; actor: string }> };
export type ClaimHit = { claimId: string; practiceId: string; payerId: string; patientId: string; patientName?: string; serviceDate: string; status: string; cptCodes: string[]; billedCents: number };
export type Field = { name: string; label: string; type: 'text' | 'select' | 'date'; options?: string[]; required: boolean; when?: string };
export type WorkItem = { id: number; practiceId: string; kind: string; ruleId: string | null; entityType: string; entityId: string; title: string; dueDate: string | null; dollarsAtRiskCents: number; status: string; assignee: string | null; snoozedUntil?: string; fields?: Field[] };
export type Note = { id: number; author: string; body: string; at: string };
export type WriteOff = { id: number; claimId: string; practiceId: string; payerId: string; serviceDate: string; claimStatus: string; billedCents: number; amountCents: number; rationale: string; requestedBy: string; requestedAt: string; status: string; decidedBy?: string; decisionNote?: string };
export type ClaimView = {
  claimId: string;
  /** Claim ids are unique per practice (issue 13). */
  practiceId: string;
  workflowId: string;
  liveState: 'live' | 'read_model';
  status: string;
  version: number;
  waitingFor?: string;
  nextDeadline?: { ruleId: string; at: string };
  billedCents: number;
  claim?: { practiceId: string; payerId: string; serviceDate: string; patient: { id: string } };
  events: Array<{ at: string; actor: string; from: string | null; to: string; detail: unknown }>;
  workItems: Array<{ id: number; kind: string; rule_id: string | null; title: string; due_date: string | null; dollars_at_risk_cents: number }>;
  submissions: Array<{ version: number; payerId: string; coverage: string; frequencyCode: string; gateway: string; status: string; reasons?: string[]; submittedAt?: string; acknowledgedAt?: string }>;
  payments: Array<{ remittanceKey: string; coverage: string; claimStatusCode: string; chargedCents: number; paidCents: number; patientResponsibilityCents: number; varianceCents: number | null; paymentDate: string }>;
  denials: Array<{ carc: string; rarcs: string[]; category: string; kind: string; denialDate: string; appealDeadline?: string; actionDue?: string; status: string }>;
  lines: Array<{ lineNumber: number; cpt: string; modifiers: string[]; units: number; billedCents: number; allowedCents?: number; paidCents: number; adjustments: Array<{ groupCode: string; carc: string; amountCents: number }> }>;
  timers?: Array<{ id: string; ruleId: string; label: string; at: string; state: string }>;
  writeOff?: { amountCents: number; rationale: string; requestedBy: string; requestedAt?: string; status: string; decidedBy?: string; decisionNote?: string };
  writtenOffCents?: number;
  temporalUiUrl: string;
};

/** The field a refusal names (422 `field`, 400 `issues[0].path`), without a body prefix, and its message. */
export function refusal(err: unknown, prefix = ''): { field?: string; message: string } {
  if (!(err instanceof ApiError)) return { message: String(err) };
  const raw = err.body.field ?? err.body.issues?.[0]?.path;
  const field = raw && prefix && raw.startsWith(prefix) ? raw.slice(prefix.length) : raw;
  const detail = err.body.issues?.length && err.status === 400 ? `: ${err.body.issues.map((i) => `${i.path} ${i.message}`).join('; ')}` : '';
  return { field, message: `${err.message}${detail}` };
}

export const APPROVER_ROLES = ['admin', 'approver'];
export const WRITE_ROLES = ['admin', 'biller', 'approver'];
export const money = (cents: number | null | undefined) => (cents === null || cents === undefined ? '—' : `$${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);

export type Charts = {
  practiceId: string;
  asOf: string;
  trends: Array<{ month: string; collectionsCents: number; deniedClaims: number; adjudicatedClaims: number; denialRate: number | null; daysInAr: number | null; openArCents: number }>;
  denials: Array<{ cpt: string; payerId: string; carc: string; denials: number; claims: number; billedCents: number; lastDenialDate: string; den7Pattern: boolean }>;
  providers: Array<{ npi: string; name: string | null; claims90: number; charges90Cents: number; openArCents: number; daysInAr: number | null; arOver90: number | null; denialRate: number | null }>;
};
export type AuditReport = {
  year: number;
  families: Array<{ family: string; dollarsCents: number; occurrences: number; findings: Array<{ ruleId: string; metric: string; kind: string; occurrences: number; dollarsCents: number }> }>;
};

/** A claim's API path: claim ids are unique per practice, so the practice goes with the id (issue 13). */
export const claimApiPath = (claimId: string, practiceId: string | undefined, suffix = '') =>
  `/api/claims/${encodeURIComponent(claimId)}${suffix}${practiceId ? `?practiceId=${encodeURIComponent(practiceId)}` : ''}`;
