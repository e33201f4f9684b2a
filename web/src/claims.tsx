import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, money, type ClaimHit, type ClaimView } from './api';
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
                      <a {...linkProps(`/claims/${encodeURIComponent(c.claimId)}`)}>{c.claimId}</a>
                    </td>
                    <td>{c.patientId}</td>
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

export function ClaimPage({ claimId }: { claimId: string }) {
  const q = useQuery({ queryKey: ['claim', claimId], queryFn: () => api<ClaimView>(`/api/claims/${encodeURIComponent(claimId)}`), refetchInterval: LIVE_MS });
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
