import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, money, refusal, WRITE_ROLES, type Me, type Note, type WorkItem } from './api';
import { formValues, Input, Unplaced, type Refusal } from './forms';
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

/** Assign, note and snooze one item (the workspace); every refusal is shown next to its field or button. */
function ManagePanel({ item, me, onDone, onMessage }: { item: WorkItem; me: Me; onDone: (message?: string) => void; onMessage: (message: string) => void }) {
  const qc = useQueryClient();
  const [error, setError] = useState<Refusal>();
  const notes = useQuery({ queryKey: ['notes', item.id], queryFn: () => api<{ notes: Note[] }>(`/api/work-items/${item.id}/notes`) });
  const people = useQuery({ queryKey: ['assignees', item.practiceId], queryFn: () => api<{ assignees: Array<{ name: string; role: string }> }>(`/api/work-items/assignees?practiceId=${encodeURIComponent(item.practiceId)}`), staleTime: 60_000 });
  const act = useMutation({
    mutationFn: ({ path, body }: { path: string; body: unknown; message: string }) => api(`/api/work-items/${item.id}/${path}`, { method: 'POST', body }),
    onSuccess: async (_r, v) => {
      setError(undefined);
      await qc.invalidateQueries({ queryKey: ['work-items'] });
      await qc.invalidateQueries({ queryKey: ['notes', item.id] });
      onMessage(v.message);
    },
    onError: (err) => setError(refusal(err)),
  });
  const id = (name: string) => `wi-${item.id}-${name}`;
  const submit = (path: string, build: (v: Record<string, string>) => { body: unknown; message: string }) => (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const v = formValues(e.currentTarget);
    act.mutate({ path, ...build(v) });
    if (path === 'notes') e.currentTarget.reset();
  };
  return (
    <div className="manage" role="group" aria-label={`Manage work item ${item.id}`}>
      <div className="actions-row">
        <button type="button" onClick={() => act.mutate({ path: 'assign', body: { assignee: me.name }, message: `Work item ${item.id} assigned to you` })} disabled={item.assignee === me.name}>
          Assign to me
        </button>
        {item.assignee && (
          <button type="button" onClick={() => act.mutate({ path: 'assign', body: { assignee: null }, message: `Work item ${item.id} unassigned` })}>
            Unassign
          </button>
        )}
        <button type="button" onClick={() => onDone()}>
          Close
        </button>
      </div>
      <form onSubmit={submit('assign', (v) => ({ body: { assignee: v.assignee || null }, message: `Work item ${item.id} assigned to ${v.assignee}` }))} aria-label={`Assign work item ${item.id}`} noValidate>
        <Input id={id('assignee')} name="assignee" label="Assign to" type="select" error={error} defaultValue={item.assignee ?? ''} options={[['', '—'], ...(people.data?.assignees ?? []).map((p) => [p.name, `${p.name} (${p.role})`] as [string, string])]} />
        <button type="submit">Assign</button>
      </form>
      <form onSubmit={submit('snooze', (v) => ({ body: { until: v.until || null }, message: v.until ? `Work item ${item.id} snoozed until ${v.until}` : `Work item ${item.id} is back` }))} aria-label={`Snooze work item ${item.id}`} noValidate>
        <Input id={id('until')} name="until" label="Snooze until" type="date" error={error} defaultValue={item.snoozedUntil ?? ''} hint="hidden from the worklist until then" />
        <button type="submit">Snooze</button>
      </form>
      <form onSubmit={submit('notes', (v) => ({ body: { body: v.body }, message: `Note added to work item ${item.id}` }))} aria-label={`Add a note to work item ${item.id}`} noValidate>
        <Input id={id('body')} name="body" label="Note" error={error} />
        <button type="submit">Add note</button>
      </form>
      <Unplaced error={error} fields={['assignee', 'until', 'body']} id={id('error')} />
      <h3 className="small">Notes</h3>
      {notes.data && notes.data.notes.length === 0 && <p className="muted">No notes yet.</p>}
      <ul className="notes">
        {notes.data?.notes.map((n) => (
          <li key={n.id}>
            <time dateTime={n.at}>{new Date(n.at).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}</time> {n.author}: {n.body}
          </li>
        ))}
      </ul>
    </div>
  );
}

const VIEWS = [
  ['all', 'All open'],
  ['mine', 'My items'],
  ['unassigned', 'Unassigned'],
  ['snoozed', 'Snoozed'],
] as const;
type View = (typeof VIEWS)[number][0];

export function Worklist({ me, practiceId }: { me: Me; practiceId: string }) {
  const canAct = WRITE_ROLES.includes(me.role);
  const [sort, setSort] = useState<'due' | 'dollars'>('due');
  const [which, setWhich] = useState<View>('all');
  const [open, setOpen] = useState<{ id: number; panel: 'complete' | 'manage' }>();
  const [done, setDone] = useState<string>();
  const q = useQuery({
    queryKey: ['work-items', practiceId, which],
    queryFn: () => api<{ workItems: WorkItem[] }>(`/api/work-items?practiceId=${encodeURIComponent(practiceId)}&view=${which}&limit=500`),
    refetchInterval: LIVE_MS,
  });
  const items = [...(q.data?.workItems ?? [])].sort((a, b) =>
    sort === 'dollars' ? b.dollarsAtRiskCents - a.dollarsAtRiskCents || (a.dueDate ?? '9').localeCompare(b.dueDate ?? '9') : (a.dueDate ?? '9').localeCompare(b.dueDate ?? '9') || b.dollarsAtRiskCents - a.dollarsAtRiskCents,
  );
  const close = (m?: string) => {
    setOpen(undefined);
    if (m) setDone(m);
  };
  return (
    <>
      <h1>Worklist</h1>
      <nav aria-label="Worklists" className="tabs">
        {VIEWS.map(([v, label]) => (
          <button key={v} type="button" aria-pressed={which === v} onClick={() => { setWhich(v); setOpen(undefined); }}>
            {label}
          </button>
        ))}
      </nav>
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
      {q.data && items.length === 0 && <p>No open work items{which === 'mine' ? ' assigned to you' : which === 'unassigned' ? ' without an assignee' : which === 'snoozed' ? ' snoozed' : ''}.</p>}
      {items.length > 0 && (
        <table className="worklist">
          <thead>
            <tr>
              <th scope="col">Due</th>
              <th scope="col" className="num">At risk</th>
              <th scope="col">Work item</th>
              <th scope="col">Rule</th>
              <th scope="col">For</th>
              <th scope="col">Assignee</th>
              {canAct && <th scope="col">Action</th>}
            </tr>
          </thead>
          <tbody>
            {items.map((w) => (
              <tr key={w.id} id={`work-item-${w.id}`}>
                <td>{w.dueDate ?? '—'}{w.snoozedUntil ? <div className="muted">snoozed until {w.snoozedUntil}</div> : null}</td>
                <td className="num">{money(w.dollarsAtRiskCents)}</td>
                <td>
                  {w.title}
                  {open?.id === w.id && canAct && (open.panel === 'complete' ? <CompleteForm item={w} onDone={close} /> : <ManagePanel item={w} me={me} onDone={close} onMessage={setDone} />)}
                </td>
                <td>{w.ruleId ?? w.kind.replace(/_/g, ' ')}</td>
                <td>{w.entityType === 'claim' ? <a {...linkProps(`/claims/${encodeURIComponent(w.entityId)}`)}>claim {w.entityId}</a> : `${w.entityType} ${w.entityId}`}</td>
                <td>{w.assignee ?? <span className="muted">unassigned</span>}</td>
                {canAct && (
                  <td className="row-actions">
                    {open?.id !== w.id && (
                      <>
                        <button type="button" onClick={() => { setDone(undefined); setOpen({ id: w.id, panel: 'complete' }); }} aria-label={`Complete work item ${w.id}: ${w.title}`}>
                          Complete
                        </button>
                        <button type="button" onClick={() => { setDone(undefined); setOpen({ id: w.id, panel: 'manage' }); }} aria-label={`Manage work item ${w.id}: assign, note, snooze`}>
                          Manage
                        </button>
                      </>
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
