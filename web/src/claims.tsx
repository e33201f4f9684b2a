import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, APPROVER_ROLES, claimApiPath, money, refusal, WRITE_ROLES, type ClaimHit, type ClaimView, type Me } from './api';
import { formValues, Input, Unplaced, type Refusal } from './forms';
import { linkProps } from './router';
import { LIVE_MS } from './dashboard';

export function FindClaim({ practiceId }: { practiceId: string }) {
  // The search term stays in the page (never in the URL or history: it can be a patient id).
  const [term, setTerm] = useState('');
  const hits = useQuery({
    queryKey: ['claim-search', practiceId, term],
    queryFn: () => api<{ claims: ClaimHit[] }>(`/api/claim-search?practiceId=${encodeURIComponent(practiceId)}&q=${encodeURIComponent(term)}`),
    enabled: term.length > 0,
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setTerm(String(new FormData(e.currentTarget).get('q') ?? '').trim());
  };
  return (
    <>
      <h1>Find a claim</h1>
      <form role="search" onSubmit={submit} className="search">
        <label htmlFor="q">Find a claim</label>
        <input id="q" name="q" type="search" placeholder="claim id, patient id or name, date of service, payer, CPT, status" autoFocus />
        <button type="submit">Search</button>
        <a className="button" href={`/api/claims/export.csv?practiceId=${encodeURIComponent(practiceId)}`} download>
          Export claims CSV
        </a>
      </form>
      {hits.isFetching && <p className="loading">Searching…</p>}
      {hits.error && <p role="alert" className="error">{hits.error.message}</p>}
      {hits.data && (
        <>
          <p aria-live="polite">{hits.data.claims.length === 0 ? 'No claim matches.' : `${hits.data.claims.length} claim${hits.data.claims.length === 1 ? '' : 's'}`}</p>
          {hits.data.claims.length > 0 && (
            <table className="results">
              <thead>
                <tr>
                  <th scope="col">Claim</th>
                  <th scope="col">Patient</th>
                  <th scope="col">Date of service</th>
                  <th scope="col">Payer</th>
                  <th scope="col">CPT</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">Billed</th>
                </tr>
              </thead>
              <tbody>
                {hits.data.claims.map((c) => (
                  <tr key={c.claimId}>
                    <td>
                      <a {...linkProps(`/claims/${encodeURIComponent(c.claimId)}?practiceId=${encodeURIComponent(c.practiceId)}`)}>{c.claimId}</a>
                    </td>
                    <td>{c.patientName ? `${c.patientName} (${c.patientId})` : c.patientId}</td>
                    <td>{c.serviceDate}</td>
                    <td>{c.payerId}</td>
                    <td>{c.cptCodes.join(', ')}</td>
                    <td>{c.status.replace(/_/g, ' ')}</td>
                    <td className="num">{money(c.billedCents)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </>
  );
}

const words = (s: string | null | undefined) => (s ?? '').replace(/_/g, ' ');
const when = (iso: string) => new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
function relative(iso: string) {
  const days = Math.round((new Date(iso).getTime() - Date.now()) / 86_400_000);
  return days === 0 ? 'today' : days > 0 ? `in ${days} day${days === 1 ? '' : 's'}` : `${-days} day${days === -1 ? '' : 's'} ago`;
}

type TimelineEntry = { at: string; text: string; kind: 'event' | 'deadline' };

export function ClaimPage({ claimId, practiceId, me }: { claimId: string; practiceId?: string; me: Me }) {
  const q = useQuery({ queryKey: ['claim', claimId, practiceId], queryFn: () => api<ClaimView>(claimApiPath(claimId, practiceId)), refetchInterval: LIVE_MS });
  if (q.isPending) return <p className="loading">Loading claim {claimId}…</p>;
  if (q.error) return <p role="alert" className="error">{q.error.message}</p>;
  const c = q.data;
  const timeline: TimelineEntry[] = [
    ...c.events.map((e) => ({ at: e.at, kind: 'event' as const, text: e.from ? `${words(e.from)} → ${words(e.to)} (by ${e.actor})` : `${words(e.to)} (by ${e.actor})` })),
    ...(c.timers ?? []).map((t) => ({ at: t.at, kind: 'deadline' as const, text: `Deadline ${t.ruleId}: ${t.label} — ${relative(t.at)}` })),
    ...c.denials.filter((d) => d.appealDeadline).map((d) => ({ at: `${d.appealDeadline}T23:59:00`, kind: 'deadline' as const, text: `Appeal deadline for the CARC ${d.carc} denial` })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return (
    <>
      <h1>Claim {c.claimId}</h1>
      <dl className="facts">
        <div>
          <dt>Status</dt>
          <dd className="status">{words(c.status)}</dd>
        </div>
        <div>
          <dt>Waiting for</dt>
          <dd>{c.waitingFor ? words(c.waitingFor) : c.liveState === 'read_model' ? 'nothing (closed, or the workflow did not answer)' : '—'}</dd>
        </div>
        <div>
          <dt>Next deadline</dt>
          <dd>{c.nextDeadline ? `${c.nextDeadline.ruleId} on ${when(c.nextDeadline.at)} (${relative(c.nextDeadline.at)})` : 'none'}</dd>
        </div>
        {c.claim && (
          <>
            <div><dt>Payer</dt><dd>{c.claim.payerId}</dd></div>
            <div><dt>Patient</dt><dd>{c.claim.patient.id}</dd></div>
            <div><dt>Date of service</dt><dd>{c.claim.serviceDate}</dd></div>
          </>
        )}
        <div><dt>Billed</dt><dd>{money(c.billedCents)}</dd></div>
        <div><dt>Version</dt><dd>{c.version}</dd></div>
      </dl>
      <p>
        <a href={c.temporalUiUrl} target="_blank" rel="noreferrer">Open the workflow in the Temporal Web UI</a> <span className="muted">({c.workflowId}, for operators)</span>
      </p>

      <h2>Timeline</h2>
      <ol className="timeline">
        {timeline.map((t, i) => (
          <li key={i} className={t.kind}>
            <time dateTime={t.at}>{when(t.at)}</time> {t.text}
          </li>
        ))}
      </ol>

      <h2>Lines</h2>
      <table>
        <thead>
          <tr><th scope="col">#</th><th scope="col">CPT</th><th scope="col">Units</th><th scope="col" className="num">Billed</th><th scope="col" className="num">Allowed</th><th scope="col" className="num">Paid</th><th scope="col">Adjustments (CARC)</th></tr>
        </thead>
        <tbody>
          {c.lines.map((l) => (
            <tr key={l.lineNumber}>
              <td>{l.lineNumber}</td>
              <td>{l.cpt}{l.modifiers.length ? `-${l.modifiers.join('-')}` : ''}</td>
              <td>{l.units}</td>
              <td className="num">{money(l.billedCents)}</td>
              <td className="num">{money(l.allowedCents)}</td>
              <td className="num">{money(l.paidCents)}</td>
              <td>{l.adjustments.map((a) => `${a.groupCode}-${a.carc} ${money(a.amountCents)}`).join('; ') || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Submissions</h2>
      {c.submissions.length === 0 ? <p>Not submitted yet.</p> : (
        <ul>
          {c.submissions.map((s, i) => (
            <li key={i}>Version {s.version} to {s.payerId} ({s.coverage}, frequency {s.frequencyCode}) via {s.gateway}{s.submittedAt ? ` on ${when(s.submittedAt)}` : ''}: <strong>{s.status}</strong>{s.reasons?.length ? ` — ${s.reasons.join('; ')}` : ''}</li>
          ))}
        </ul>
      )}

      <h2>Payments</h2>
      {c.payments.length === 0 ? <p>No payment yet.</p> : (
        <ul>
          {c.payments.map((p, i) => (
            <li key={i}>{p.paymentDate}: paid {money(p.paidCents)} of {money(p.chargedCents)} ({p.coverage}), patient responsibility {money(p.patientResponsibilityCents)}{p.varianceCents ? `, variance ${money(p.varianceCents)}` : ''}</li>
          ))}
        </ul>
      )}

      <h2>Denials</h2>
      {c.denials.length === 0 ? <p>No denial.</p> : (
        <ul>
          {c.denials.map((d, i) => (
            <li key={i}>CARC {d.carc}{d.rarcs.length ? ` (${d.rarcs.join(', ')})` : ''}, {d.category} {words(d.kind)} on {d.denialDate}: {d.status}{d.appealDeadline ? `; appeal by ${d.appealDeadline}` : ''}</li>
          ))}
        </ul>
      )}

      {me.role !== 'provider' && <X12Documents claimId={c.claimId} practiceId={c.practiceId} />}

      {WRITE_ROLES.includes(me.role) && q.data.status !== 'closed' && <ClaimActions c={c} me={me} />}

      <h2>Open work items</h2>
      {c.workItems.length === 0 ? <p>None.</p> : (
        <ul>
          {c.workItems.map((w) => (
            <li key={w.id}>
              <a {...linkProps('/worklist')}>{w.title}</a> ({w.rule_id ?? words(w.kind)}){w.due_date ? `, due ${w.due_date}` : ''}, {money(w.dollars_at_risk_cents)} at risk
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** Claim actions (Temporal Updates): the workflow's 422 is shown next to its field, a 409 next to the button. */
export function ActionForm({ claimId, practiceId, action, title, fields, build, submitLabel }: {
  claimId: string;
  practiceId?: string;
  action: string;
  title: string;
  fields: Array<Parameters<typeof Input>[0]>;
  build: (v: Record<string, string>) => unknown;
  submitLabel: string;
}) {
  const qc = useQueryClient();
  const [error, setError] = useState<Refusal>();
  const [ok, setOk] = useState<string>();
  const run = useMutation({
    mutationFn: (body: unknown) => api<{ state?: { status: string } }>(action === 'reject-write-off' ? claimApiPath(claimId, practiceId, '/write-off/reject') : claimApiPath(claimId, practiceId, `/actions/${action}`), { method: 'POST', body }),
    onSuccess: async (r) => {
      setError(undefined);
      setOk(`${submitLabel}: done${r.state?.status ? ` (claim is ${r.state.status.replace(/_/g, ' ')})` : ''}`);
      await qc.invalidateQueries({ queryKey: ['claim', claimId] });
      await qc.invalidateQueries({ queryKey: ['write-offs'] });
    },
    onError: (err) => {
      setOk(undefined);
      setError(refusal(err));
    },
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setOk(undefined);
    let body: unknown;
    try {
      body = build(formValues(e.currentTarget));
    } catch (err) {
      setError(err as Refusal);
      return;
    }
    run.mutate(body);
  };
  const names = fields.map((f) => f.name);
  // A 400 names body paths such as claim.lines.0.cpt: shown next to the field it starts with.
  const placed = error?.field ? { ...error, field: names.find((n) => error.field === n || error.field!.startsWith(`${n}.`)) ?? error.field } : error;
  return (
    <form className="action" onSubmit={submit} aria-label={title} noValidate>
      <h3>{title}</h3>
      {fields.map((f) => (
        <Input key={f.name} {...f} error={placed} />
      ))}
      <div className="actions-row">
        <button type="submit" disabled={run.isPending} aria-describedby={placed && !names.includes(placed.field ?? '') ? `${claimId}-${action}-error` : undefined}>
          {submitLabel}
        </button>
        <Unplaced error={placed} fields={names} id={`${claimId}-${action}-error`} />
        {ok && <span role="status" className="ok">{ok}</span>}
      </div>
    </form>
  );
}

/** Approve (with the recovery review AR-6 asks for) or reject (with a reason) a write-off waiting for approval. */
export function WriteOffDecision({ claimId, practiceId, idPrefix, of = '' }: { claimId: string; practiceId?: string; idPrefix: string; of?: string }) {
  return (
    <>
      {(
        [
          ['approve-write-off', 'Approve', 'recoveryReview', 'Recovery review'],
          ['reject-write-off', 'Reject', 'reason', 'Reason for rejecting'],
        ] as const
      ).map(([action, verb, name, label]) => (
        <ActionForm key={action} claimId={claimId} practiceId={practiceId} action={action} title={`${verb} the write-off${of}`} submitLabel={`${verb} write-off`} fields={[{ id: `${idPrefix}-${name}`, name, label }]} build={(v) => ({ [name]: v[name] })} />
      ))}
    </>
  );
}

const dollarsToCents = (v: string, field: string) => {
  if (!/^\d+(\.\d{1,2})?$/.test(v)) throw { field, message: `${field}: an amount in dollars, e.g. 125.00` };
  return Math.round(Number(v) * 100);
};

export function ClaimActions({ c, me }: { c: ClaimView; me: Me }) {
  const id = (a: string, f: string) => `${c.claimId}-${a}-${f}`;
  const pending = c.writeOff?.status === 'pending';
  return (
    <section aria-labelledby="claim-actions">
      <h2 id="claim-actions">Claim actions</h2>
      {c.writeOff && (
        <p className={pending ? 'watch' : 'muted'}>
          Write-off of {money(c.writeOff.amountCents)} requested by {c.writeOff.requestedBy}: <strong>{c.writeOff.status === 'pending' ? 'waiting for approval' : c.writeOff.status}</strong>
          {c.writeOff.decidedBy ? ` by ${c.writeOff.decidedBy}` : ''}
          {c.writeOff.decisionNote ? ` — ${c.writeOff.decisionNote}` : ''}
        </p>
      )}
      <div className="action-grid">
        <ActionForm
          claimId={c.claimId}
          practiceId={c.practiceId}
          action="submit-appeal"
          title="Appeal"
          submitLabel="Submit appeal"
          fields={[
            { id: id('appeal', 'ref'), name: 'appealReference', label: 'Appeal reference' },
            { id: id('appeal', 'note'), name: 'note', label: 'Note', hint: 'optional' },
          ]}
          build={(v) => ({ appealReference: v.appealReference, ...(v.note ? { note: v.note } : {}) })}
        />
        <ActionForm
          claimId={c.claimId}
          practiceId={c.practiceId}
          action="request-write-off"
          title="Request a write-off"
          submitLabel="Request write-off"
          fields={[
            { id: id('wo', 'amount'), name: 'amountCents', label: 'Amount ($)', type: 'number', step: '0.01' },
            { id: id('wo', 'rationale'), name: 'rationale', label: 'Rationale' },
          ]}
          build={(v) => ({ amountCents: dollarsToCents(v.amountCents, 'amountCents'), rationale: v.rationale })}
        />
        {pending && APPROVER_ROLES.includes(me.role) && <WriteOffDecision claimId={c.claimId} practiceId={c.practiceId} idPrefix={`${c.claimId}-decide`} />}
        <ActionForm
          claimId={c.claimId}
          practiceId={c.practiceId}
          action="close"
          title="Close the claim"
          submitLabel="Close claim"
          fields={[{ id: id('close', 'reason'), name: 'reason', label: 'Reason for closing' }]}
          build={(v) => ({ reason: v.reason })}
        />
        {c.claim && (
          <ActionForm
            claimId={c.claimId}
            practiceId={c.practiceId}
            action="correct"
            title="Correct the claim"
            submitLabel="Send corrected claim"
            fields={[
              { id: id('correct', 'claim'), name: 'claim', label: 'Corrected claim (JSON)', type: 'textarea', defaultValue: JSON.stringify(c.claim, null, 2) },
              { id: id('correct', 'reason'), name: 'reason', label: 'What was corrected' },
            ]}
            build={(v) => {
              try {
                return { claim: JSON.parse(v.claim), reason: v.reason };
              } catch (err) {
                throw { field: 'claim', message: `claim: not valid JSON (${(err as Error).message})` };
              }
            }}
          />
        )}
      </div>
    </section>
  );
}

type X12Doc = { kind: '837P' | '835'; title: string; at: string; status: string; text: string | null; note: string };

/** The claim's 837P and 835 documents, fetched only when asked for (PHI: every read is access-logged). */
function X12Documents({ claimId, practiceId }: { claimId: string; practiceId?: string }) {
  const [shown, setShown] = useState(false);
  const q = useQuery({ queryKey: ['x12', claimId, practiceId], queryFn: () => api<{ documents: X12Doc[] }>(claimApiPath(claimId, practiceId, '/x12')), enabled: shown });
  return (
    <section aria-labelledby="x12-docs">
      <h2 id="x12-docs">837P and 835 documents</h2>
      {!shown ? (
        <button type="button" onClick={() => setShown(true)}>
          Show the 837P and 835 documents
        </button>
      ) : (
        <>
          <p className="muted">These carry PHI; your reading them is recorded in the access log.</p>
          {q.isPending && <p className="loading">Loading…</p>}
          {q.error && <p role="alert" className="error">{q.error.message}</p>}
          {q.data && q.data.documents.length === 0 && <p>No 837P sent and no 835 received yet.</p>}
          {q.data?.documents.map((d, i) => (
            <figure key={i} className="x12">
              <figcaption>
                <strong>{d.title}</strong> <span className="muted">— {when(d.at)}, {d.note}</span>
              </figcaption>
              {d.text ? (
                <pre tabIndex={0} aria-label={d.title}>{d.text.replace(/~(?!\n)/g, '~\n')}</pre>
              ) : null}
            </figure>
          ))}
        </>
      )}
    </section>
  );
}
