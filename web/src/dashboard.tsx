import { useQuery } from '@tanstack/react-query';
import { api, money, type Dashboard as DashboardData, type Kpi } from './api';
import { linkProps } from './router';
import { DashboardCharts } from './charts';

/** Polled: figures follow a claim that moves within 5 seconds, without a reload. */
export const LIVE_MS = 5_000;

const BAND_LABEL: Record<Kpi['band'], string> = { good: 'On target', watch: 'Watch', bad: 'Off target', no_data: 'No data yet' };
const BAND_ICON: Record<Kpi['band'], string> = { good: '✓', watch: '!', bad: '✗', no_data: '–' };

function formatKpi(k: Kpi) {
  if (k.value === null) return '—';
  if (k.unit === 'percent') return `${k.value.toFixed(1)}%`;
  if (k.unit === 'dollars') return money(k.value);
  return `${k.value} ${k.unit}`;
}

function KpiTile({ k }: { k: Kpi }) {
  const id = `kpi-${k.key}`;
  return (
    <section className={`kpi band-${k.band}`} aria-labelledby={id}>
      <h3 id={id}>{k.name}</h3>
      <p className="value">{formatKpi(k)}</p>
      <p className="band">
        <span aria-hidden="true">{BAND_ICON[k.band]}</span> {BAND_LABEL[k.band]} <span className="target">target {k.target}</span>
      </p>
      <p className="definition">{k.definition}</p>
      {k.detail && <p className="detail">{k.detail}</p>}
    </section>
  );
}

const BUCKETS = [
  ['b0_30', '0–30'],
  ['b31_60', '31–60'],
  ['b61_90', '61–90'],
  ['b90plus', '90+'],
] as const;

export function Dashboard({ practiceId }: { practiceId: string }) {
  const q = useQuery({ queryKey: ['dashboard', practiceId], queryFn: () => api<DashboardData>(`/api/dashboard?practiceId=${encodeURIComponent(practiceId)}`), refetchInterval: LIVE_MS });
  if (q.isPending) return <p className="loading">Loading the dashboard…</p>;
  if (q.error) return <p role="alert" className="error">{q.error.message}</p>;
  const d = q.data;
  const max = Math.max(1, ...d.aging.map((r) => r.totalCents));
  return (
    <>
      <h1>{d.practiceName}</h1>
      <p className="live" aria-live="polite">
        As of {d.asOf} · updated {new Date(d.computedAt).toLocaleTimeString()} · refreshes every {LIVE_MS / 1000} s
      </p>
      <h2>Key figures</h2>
      <div className="kpis">{d.kpis.map((k) => <KpiTile key={k.key} k={k} />)}</div>

      <h2 id="aging">AR aging by payer</h2>
      <p>
        <a className="button" href={`/api/dashboard/aging.csv?practiceId=${encodeURIComponent(practiceId)}`} download>
          Export AR aging CSV
        </a>
      </p>
      {d.aging.length === 0 ? (
        <p>No open AR.</p>
      ) : (
        <table aria-labelledby="aging" className="aging">
          <thead>
            <tr>
              <th scope="col">Payer</th>
              {BUCKETS.map(([, label]) => (
                <th scope="col" key={label} className="num">
                  {label} days
                </th>
              ))}
              <th scope="col" className="num">Total</th>
              <th scope="col">Share</th>
            </tr>
          </thead>
          <tbody>
            {d.aging.map((r) => (
              <tr key={r.payerId}>
                <th scope="row">{r.payerId}</th>
                {BUCKETS.map(([key]) => (
                  <td key={key} className="num">{money(r[key])}</td>
                ))}
                <td className="num">{money(r.totalCents)}</td>
                <td>
                  <div className="bar" role="img" aria-label={BUCKETS.map(([key, label]) => `${label}: ${money(r[key])}`).join(', ')}>
                    {BUCKETS.map(([key], i) => (
                      <span key={key} className={`seg seg${i}`} style={{ width: `${(r[key] / max) * 100}%` }} />
                    ))}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="legend" aria-hidden="true">
        {BUCKETS.map(([, label], i) => (
          <span key={label}>
            <span className={`swatch seg${i}`} /> {label}
          </span>
        ))}
      </p>

      <h2 id="deadlines">Coming deadlines</h2>
      {d.deadlines.length === 0 ? (
        <p>Nothing due in the coming weeks.</p>
      ) : (
        <ul className="deadlines" aria-labelledby="deadlines">
          {d.deadlines.map((x) => (
            <li key={`${x.kind}:${x.id}`} className={x.daysLeft < 0 ? 'overdue' : x.daysLeft <= 7 ? 'soon' : ''}>
              <span className="when">{x.daysLeft < 0 ? `${-x.daysLeft} days overdue` : x.daysLeft === 0 ? 'today' : `in ${x.daysLeft} days`}</span>{' '}
              {x.kind === 'timely_filing' || x.kind === 'appeal' ? <a {...linkProps(`/claims/${encodeURIComponent(x.id)}`)}>{x.what}</a> : x.what} on {x.due}
              {x.ruleId && <span className="rule"> ({x.ruleId})</span>}
            </li>
          ))}
        </ul>
      )}

      <h2 id="activity">Claims moving now</h2>
      {d.activity.length === 0 ? (
        <p>No claim has moved yet.</p>
      ) : (
        <ol className="activity" aria-labelledby="activity">
          {d.activity.map((a) => (
            <li key={`${a.claimId}:${a.at}:${a.to}`}>
              <time dateTime={a.at}>{new Date(a.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })}</time>{' '}
              <a {...linkProps(`/claims/${encodeURIComponent(a.claimId)}`)}>Claim {a.claimId}</a>: {a.from ? `${a.from.replace(/_/g, ' ')} → ` : ''}
              <strong>{a.to.replace(/_/g, ' ')}</strong> <span className="muted">({a.actor})</span>
            </li>
          ))}
        </ol>
      )}

      <DashboardCharts practiceId={practiceId} />
    </>
  );
}
