/** The approver's screen (AR-6): write-offs of the practice waiting for approval, approve or reject each. */
import { useQuery } from '@tanstack/react-query';
import { api, money, type WriteOff } from './api';
import { linkProps } from './router';
import { LIVE_MS } from './dashboard';
import { WriteOffDecision } from './claims';

export function Approvals({ practiceId }: { practiceId: string }) {
  const q = useQuery({
    queryKey: ['write-offs', practiceId],
    queryFn: () => api<{ writeOffs: WriteOff[] }>(`/api/write-offs?practiceId=${encodeURIComponent(practiceId)}&status=pending`),
    refetchInterval: LIVE_MS,
  });
  return (
    <>
      <h1>Write-offs waiting for approval</h1>
      <p className="muted">AR-6: a write-off needs a documented recovery review by an approver other than the biller who requested it.</p>
      {q.isPending && <p className="loading">Loading…</p>}
      {q.error && <p role="alert" className="error">{q.error.message}</p>}
      {q.data && q.data.writeOffs.length === 0 && <p>No write-off is waiting.</p>}
      {q.data?.writeOffs.map((w) => (
        <section key={w.id} className="approval" aria-labelledby={`wo-${w.id}`} id={`write-off-${w.claimId}`}>
          <h2 id={`wo-${w.id}`}>
            {money(w.amountCents)} on <a {...linkProps(`/claims/${encodeURIComponent(w.claimId)}?practiceId=${encodeURIComponent(w.practiceId)}`)}>claim {w.claimId}</a>
          </h2>
          <p>
            {w.payerId}, date of service {w.serviceDate}, billed {money(w.billedCents)}, claim {w.claimStatus.replace(/_/g, ' ')}. Requested by {w.requestedBy} on{' '}
            {new Date(w.requestedAt).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}: “{w.rationale}”
          </p>
          <div className="action-grid">
            <WriteOffDecision claimId={w.claimId} practiceId={w.practiceId} idPrefix={`wo-${w.id}`} of={` of claim ${w.claimId}`} />
          </div>
        </section>
      ))}
    </>
  );
}
