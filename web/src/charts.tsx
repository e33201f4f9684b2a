/**
 * The dashboard's charts in plain SVG (no chart library: a few bars and a line, ~0 KB of dependencies).
 * Every chart has its figures in a table beside it: the numbers, not only the picture.
 */
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, money, type AuditReport, type Charts } from './api';
import { linkProps } from './router';
import { LIVE_MS } from './dashboard';

type Point = { label: string; value: number | null };

/** Bars (or a line) over months; values formatted by `fmt` for the axis and the tooltip titles. */
function MiniChart({ title, points, fmt, kind }: { title: string; points: Point[]; fmt: (v: number) => string; kind: 'bar' | 'line' }) {
  const w = 360;
  const h = 120;
  const pad = { l: 8, r: 8, t: 14, b: 18 };
  const max = Math.max(1, ...points.map((p) => p.value ?? 0));
  const step = (w - pad.l - pad.r) / Math.max(1, points.length);
  const y = (v: number) => pad.t + (h - pad.t - pad.b) * (1 - v / max);
  const x = (i: number) => pad.l + step * i + step / 2;
  const line = points
    .map((p, i) => (p.value === null ? null : `${x(i)},${y(p.value)}`))
    .filter(Boolean)
    .join(' ');
  const last = [...points].reverse().find((p) => p.value !== null);
  return (
    <figure className="chart">
      <figcaption>
        {title}
        {last && <span className="muted"> — {last.label}: {fmt(last.value!)}</span>}
      </figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-label={`${title}: ${points.map((p) => `${p.label} ${p.value === null ? 'no data' : fmt(p.value)}`).join(', ')}`}>
        <line x1={pad.l} x2={w - pad.r} y1={h - pad.b} y2={h - pad.b} className="axis" />
        <text x={pad.l} y={10} className="tick">max {fmt(max)}</text>
        {kind === 'bar'
          ? points.map((p, i) =>
              p.value === null ? null : (
                <rect key={p.label} x={x(i) - step * 0.35} width={step * 0.7} y={y(p.value)} height={h - pad.b - y(p.value)} className="barfill">
                  <title>{`${p.label}: ${fmt(p.value)}`}</title>
                </rect>
              ),
            )
          : [
              <polyline key="l" points={line} className="linefill" />,
              ...points.map((p, i) => (p.value === null ? null : <circle key={p.label} cx={x(i)} cy={y(p.value)} r={3} className="dot"><title>{`${p.label}: ${fmt(p.value)}`}</title></circle>)),
            ]}
        {points.map((p, i) => (i % 2 === points.length % 2 ? null : <text key={p.label} x={x(i)} y={h - 4} className="tick" textAnchor="middle">{p.label.slice(2)}</text>))}
      </svg>
    </figure>
  );
}

function Trends({ c }: { c: Charts }) {
  const t = c.trends;
  return (
    <section aria-labelledby="trends">
      <h2 id="trends">12-month trends</h2>
      <div className="charts">
        <MiniChart title="Collections" kind="bar" fmt={(v) => money(v)} points={t.map((m) => ({ label: m.month, value: m.collectionsCents }))} />
        <MiniChart title="Denials (claims denied)" kind="bar" fmt={(v) => String(v)} points={t.map((m) => ({ label: m.month, value: m.deniedClaims }))} />
        <MiniChart title="Days in AR (month end)" kind="line" fmt={(v) => `${v} d`} points={t.map((m) => ({ label: m.month, value: m.daysInAr }))} />
      </div>
      <details>
        <summary>Trend figures by month</summary>
        <table>
          <thead>
            <tr><th scope="col">Month</th><th scope="col" className="num">Collections</th><th scope="col" className="num">Claims denied</th><th scope="col" className="num">Adjudicated</th><th scope="col" className="num">Denial rate</th><th scope="col" className="num">Open AR</th><th scope="col" className="num">Days in AR</th></tr>
          </thead>
          <tbody>
            {t.map((m) => (
              <tr key={m.month}>
                <th scope="row">{m.month}</th>
                <td className="num">{money(m.collectionsCents)}</td>
                <td className="num">{m.deniedClaims}</td>
                <td className="num">{m.adjudicatedClaims}</td>
                <td className="num">{m.denialRate === null ? '—' : `${m.denialRate}%`}</td>
                <td className="num">{money(m.openArCents)}</td>
                <td className="num">{m.daysInAr ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}

function DenialMatrix({ c }: { c: Charts }) {
  const max = Math.max(1, ...c.denials.map((d) => d.denials));
  return (
    <section aria-labelledby="denial-matrix">
      <h2 id="denial-matrix">Denials by CPT × payer × reason</h2>
      <p>
        <a className="button" href={`/api/denials/export.csv?practiceId=${encodeURIComponent(c.practiceId)}`} download>
          Export denials CSV
        </a>
      </p>
      {c.denials.length === 0 ? (
        <p>No denial in the last 12 months.</p>
      ) : (
        <table>
          <thead>
            <tr><th scope="col">CPT</th><th scope="col">Payer</th><th scope="col">CARC</th><th scope="col" className="num">Denials</th><th scope="col" className="num">Claims</th><th scope="col" className="num">Billed</th><th scope="col">Last</th><th scope="col">DEN-7</th></tr>
          </thead>
          <tbody>
            {c.denials.map((d) => (
              <tr key={`${d.cpt}|${d.payerId}|${d.carc}`}>
                <td>{d.cpt}</td>
                <td>{d.payerId}</td>
                <td>{d.carc}</td>
                <td className="num">
                  <span className="inline-bar" style={{ width: `${(d.denials / max) * 4}rem` }} aria-hidden="true" /> {d.denials}
                </td>
                <td className="num">{d.claims}</td>
                <td className="num">{money(d.billedCents)}</td>
                <td>{d.lastDenialDate}</td>
                <td>{d.den7Pattern ? <strong className="bad-text">⚠ recurring pattern</strong> : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Providers({ c }: { c: Charts }) {
  return (
    <section aria-labelledby="per-provider">
      <h2 id="per-provider">KPIs per provider</h2>
      {c.providers.length === 0 ? (
        <p>No claims yet.</p>
      ) : (
        <table>
          <thead>
            <tr><th scope="col">Provider</th><th scope="col" className="num">Claims (90 days)</th><th scope="col" className="num">Charges (90 days)</th><th scope="col" className="num">Open AR</th><th scope="col" className="num">Days in AR</th><th scope="col" className="num">AR over 90 days</th><th scope="col" className="num">Denial rate</th></tr>
          </thead>
          <tbody>
            {c.providers.map((p) => (
              <tr key={p.npi}>
                <th scope="row">{p.name ?? 'Unknown provider'} <span className="muted">NPI {p.npi}</span></th>
                <td className="num">{p.claims90}</td>
                <td className="num">{money(p.charges90Cents)}</td>
                <td className="num">{money(p.openArCents)}</td>
                <td className="num">{p.daysInAr ?? '—'}</td>
                <td className="num">{p.arOver90 === null ? '—' : `${p.arOver90}%`}</td>
                <td className="num">{p.denialRate === null ? '—' : `${p.denialRate}%`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The revenue-gap audit (DOMAIN.md §6): dollars per checklist family; a family opens its findings, a finding its claims. */
function RevenueGap({ practiceId }: { practiceId: string }) {
  const thisYear = new Date().getUTCFullYear();
  const [year, setYear] = useState(thisYear);
  const q = useQuery({ queryKey: ['audit', practiceId, year], queryFn: () => api<AuditReport>(`/api/audit?practiceId=${encodeURIComponent(practiceId)}&year=${year}`), refetchInterval: 60_000 });
  const [open, setOpen] = useState<string>();
  const [finding, setFinding] = useState<{ ruleId: string; metric: string }>();
  const claims = useQuery({
    queryKey: ['audit-claims', practiceId, year, finding?.ruleId, finding?.metric],
    queryFn: () => api<{ claims: Array<{ claimId: string; payerId: string; serviceDate: string; status: string; billedCents: number }>; about: string }>(`/api/audit/claims?practiceId=${encodeURIComponent(practiceId)}&year=${year}&ruleId=${encodeURIComponent(finding!.ruleId)}&metric=${encodeURIComponent(finding!.metric)}`),
    enabled: !!finding,
  });
  const families = (q.data?.families ?? []).filter((f) => f.dollarsCents > 0 || f.occurrences > 0);
  const max = Math.max(1, ...families.map((f) => f.dollarsCents));
  return (
    <section aria-labelledby="revenue-gap">
      <h2 id="revenue-gap">Revenue-gap audit</h2>
      <label>
        Year of service{' '}
        <select value={year} onChange={(e) => { setYear(Number(e.target.value)); setOpen(undefined); setFinding(undefined); }}>
          {[thisYear, thisYear - 1, thisYear - 2].map((y) => (
            <option key={y} value={y}>{y}</option>
          ))}
        </select>
      </label>
      {q.isPending && <p className="loading">Loading the revenue-gap audit…</p>}
      {q.error && <p role="alert" className="error">{q.error.message}</p>}
      {q.data && families.length === 0 ? (
        <p>No gap found this year.</p>
      ) : (
        <ul className="gap-families">
          {families.map((f) => (
            <li key={f.family}>
              <button type="button" aria-expanded={open === f.family} onClick={() => { setOpen(open === f.family ? undefined : f.family); setFinding(undefined); }}>
                <span className="fam">{f.family}</span>
                <span className="gapbar" style={{ width: `${(f.dollarsCents / max) * 14}rem` }} aria-hidden="true" />
                <span>{money(f.dollarsCents)}</span> <span className="muted">({f.occurrences} occurrences)</span>
              </button>
              {open === f.family && (
                <table className="findings">
                  <thead><tr><th scope="col">Rule</th><th scope="col">What</th><th scope="col" className="num">Occurrences</th><th scope="col" className="num">Dollars</th><th scope="col">Claims</th></tr></thead>
                  <tbody>
                    {f.findings.map((x) => (
                      <tr key={`${x.ruleId}:${x.metric}`}>
                        <td>{x.ruleId}</td>
                        <td>{x.metric.replace(/_/g, ' ')} <span className="muted">({x.kind.replace(/_/g, ' ')})</span></td>
                        <td className="num">{x.occurrences}</td>
                        <td className="num">{money(x.dollarsCents)}</td>
                        <td>
                          {x.occurrences > 0 && (
                            <button type="button" onClick={() => setFinding({ ruleId: x.ruleId, metric: x.metric })} aria-label={`Claims behind ${x.ruleId} ${x.metric.replace(/_/g, ' ')}`}>
                              Claims
                            </button>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </li>
          ))}
        </ul>
      )}
      {finding && (
        <div className="drill" role="region" aria-label={`Claims behind ${finding.ruleId} ${finding.metric.replace(/_/g, ' ')}`}>
          <h3>Claims behind {finding.ruleId} {finding.metric.replace(/_/g, ' ')}</h3>
          {claims.isPending && <p className="loading">Loading…</p>}
          {claims.error && <p role="alert" className="error">{claims.error.message}</p>}
          {claims.data && claims.data.claims.length === 0 && <p>{claims.data.about === 'not_claims' ? 'This figure is not about claims (appointments, authorizations, credentials or deposits).' : 'No claim behind this figure.'}</p>}
          {claims.data && claims.data.claims.length > 0 && (
            <table>
              <thead><tr><th scope="col">Claim</th><th scope="col">Payer</th><th scope="col">Date of service</th><th scope="col">Status</th><th scope="col" className="num">Billed</th></tr></thead>
              <tbody>
                {claims.data.claims.map((c) => (
                  <tr key={c.claimId}>
                    <td><a {...linkProps(`/claims/${encodeURIComponent(c.claimId)}`)}>{c.claimId}</a></td>
                    <td>{c.payerId}</td>
                    <td>{c.serviceDate}</td>
                    <td>{c.status.replace(/_/g, ' ')}</td>
                    <td className="num">{money(c.billedCents)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </section>
  );
}

export function DashboardCharts({ practiceId }: { practiceId: string }) {
  const q = useQuery({ queryKey: ['charts', practiceId], queryFn: () => api<Charts>(`/api/dashboard/charts?practiceId=${encodeURIComponent(practiceId)}`), refetchInterval: LIVE_MS * 6 });
  return (
    <>
      {q.isPending && <p className="loading">Loading the charts…</p>}
      {q.error && <p role="alert" className="error">{q.error.message}</p>}
      {q.data && (
        <>
          <Trends c={q.data} />
          <DenialMatrix c={q.data} />
          <Providers c={q.data} />
        </>
      )}
      <RevenueGap practiceId={practiceId} />
    </>
  );
}
