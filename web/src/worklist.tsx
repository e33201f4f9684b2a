import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, money, WRITE_ROLES, type Me, type WorkItem } from './api';
import { linkProps } from './router';
import { LIVE_MS } from './dashboard';

/** The completion form, generated from the fields the item's rule asks for; the server's 422 is shown next to its field. */
function CompleteForm({ item, onDone }: { item: WorkItem; onDone: (message?: string) => void }) {
  const qc = useQueryClient();
  const [fieldError, setFieldError] = useState<{ field?: string; message: string }>();
  const complete = useMutation({
    mutationFn: (outcome: Record<string, string>) => api(`/api/work-items/${item.id}/complete`, { method: 'POST', body: { outcome } }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['work-items'] });
      await qc.invalidateQueries({ queryKey: ['dashboard'] });
      onDone(`Work item ${item.id} completed: ${item.title}`);
    },
    onError: (err) => {
      if (err instanceof ApiError) setFieldError({ field: err.body.field?.replace(/^outcome\./, '') ?? err.body.issues?.[0]?.path?.replace(/^outcome\./, ''), message: err.message });
      else setFieldError({ message: String(err) });
    },
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setFieldError(undefined);
    const data = new FormData(e.currentTarget);
    const outcome: Record<string, string> = {};
    for (const f of item.fields ?? []) {
      const v = String(data.get(f.name) ?? '').trim();
      if (v) outcome[f.name] = v;
    }
    complete.mutate(outcome);
  };
  const fields = item.fields ?? [];
  const unplaced = fieldError && !fields.some((f) => f.name === fieldError.field);
  // No `required` attributes: the server decides what is missing (and says so, 422) for every client alike.
  return (
    <form className="complete" onSubmit={submit} aria-label={`Complete work item ${item.id}`} noValidate>
      {fields.map((f) => {
        const id = `wi-${item.id}-${f.name}`;
        const err = fieldError?.field === f.name ? fieldError.message : undefined;
        return (
          <div className="field" key={f.name}>
            <label htmlFor={id}>
              {f.label}
              {f.required ? ' (required)' : f.when ? ` (${f.when})` : ''}
            </label>
            {f.type === 'select' ? (
              <select id={id} name={f.name} defaultValue="" aria-invalid={err ? true : undefined} aria-describedby={err ? `${id}-error` : undefined}>
                <option value="">—</option>
                {f.options?.map((o) => (
                  <option key={o} value={o}>{o.replace(/_/g, ' ')}</option>
                ))}
              </select>
            ) : (
              <input id={id} name={f.name} type={f.type === 'date' ? 'date' : 'text'} aria-invalid={err ? true : undefined} aria-describedby={err ? `${id}-error` : undefined} />
            )}
            {err && (
              <span id={`${id}-error`} role="alert" className="error">
                {err}
              </span>
            )}
          </div>
        );
      })}
      {unplaced && <p role="alert" className="error">{fieldError!.message}</p>}
      <button type="submit" disabled={complete.isPending}>Save and complete</button>{' '}
      <button type="button" onClick={() => onDone()}>Cancel</button>
    </form>
  );
}

export function Worklist({ me, practiceId }: { me: Me; practiceId: string }) {
  const canAct = WRITE_ROLES.includes(me.role);
  const [sort, setSort] = useState<'due' | 'dollars'>('due');
  const [open, setOpen] = useState<number>();
  const [done, setDone] = useState<string>();
  const q = useQuery({ queryKey: ['work-items', practiceId], queryFn: () => api<{ workItems: WorkItem[] }>(`/api/work-items?practiceId=${encodeURIComponent(practiceId)}&limit=500`), refetchInterval: LIVE_MS });
  const items = [...(q.data?.workItems ?? [])].sort((a, b) =>
    sort === 'dollars' ? b.dollarsAtRiskCents - a.dollarsAtRiskCents || (a.dueDate ?? '9').localeCompare(b.dueDate ?? '9') : (a.dueDate ?? '9').localeCompare(b.dueDate ?? '9') || b.dollarsAtRiskCents - a.dollarsAtRiskCents,
  );
  return (
    <>
      <h1>Worklist</h1>
      <div className="toolbar">
        <label>
          Sort by{' '}
          <select value={sort} onChange={(e) => setSort(e.target.value as 'due' | 'dollars')}>
            <option value="due">due date</option>
            <option value="dollars">dollars at risk</option>
          </select>
        </label>
        <a className="button" href={`/api/work-items/export.csv?practiceId=${encodeURIComponent(practiceId)}`} download>
          Export CSV
        </a>
        {!canAct && <span className="muted">Read only: a {me.role} sees the worklist but cannot complete items.</span>}
      </div>
      {done && <p role="status" className="ok">{done}</p>}
      {q.isPending && <p className="loading">Loading…</p>}
      {q.error && <p role="alert" className="error">{q.error.message}</p>}
      {q.data && items.length === 0 && <p>No open work items.</p>}
      {items.length > 0 && (
        <table className="worklist">
          <thead>
            <tr>
              <th scope="col">Due</th>
              <th scope="col" className="num">At risk</th>
              <th scope="col">Work item</th>
              <th scope="col">Rule</th>
              <th scope="col">For</th>
              {canAct && <th scope="col">Action</th>}
            </tr>
          </thead>
          <tbody>
            {items.map((w) => (
              <tr key={w.id} id={`work-item-${w.id}`}>
                <td>{w.dueDate ?? '—'}</td>
                <td className="num">{money(w.dollarsAtRiskCents)}</td>
                <td>
                  {w.title}
                  {open === w.id && canAct && <CompleteForm item={w} onDone={(m) => { setOpen(undefined); if (m) setDone(m); }} />}
                </td>
                <td>{w.ruleId ?? w.kind.replace(/_/g, ' ')}</td>
                <td>{w.entityType === 'claim' ? <a {...linkProps(`/claims/${encodeURIComponent(w.entityId)}`)}>claim {w.entityId}</a> : `${w.entityType} ${w.entityId}`}</td>
                {canAct && (
                  <td>
                    {open !== w.id && (
                      <button type="button" onClick={() => { setDone(undefined); setOpen(w.id); }} aria-label={`Complete work item ${w.id}: ${w.title}`}>
                        Complete
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
