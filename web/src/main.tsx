import { StrictMode, useEffect, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, type Me } from './api';
import { linkProps, usePath } from './router';
import { Dashboard } from './dashboard';
import { ClaimPage, FindClaim } from './claims';
import { Worklist } from './worklist';
import { Approvals } from './approvals';
import { APPROVER_ROLES } from './api';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: (n, err) => !(err instanceof ApiError && err.status < 500) && n < 2, refetchOnWindowFocus: true } },
});

function Login() {
  const qc = useQueryClient();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const token = String(new FormData(form).get('token') ?? '');
    setBusy(true);
    setError(undefined);
    try {
      // The token goes once, in a POST body; the server answers with an HttpOnly cookie.
      await api('/auth/session', { method: 'POST', body: { token } });
      form.reset();
      await qc.resetQueries();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'sign-in failed');
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login">
      <h1>rcm-pain</h1>
      <p>Sign in with your API token. The browser keeps a session cookie for 8 hours; the token is not stored.</p>
      <form onSubmit={submit} aria-describedby={error ? 'login-error' : undefined}>
        <label htmlFor="token">Token</label>
        <input id="token" name="token" type="password" autoComplete="off" required autoFocus />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {error && (
          <p id="login-error" role="alert" className="error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}

function Shell({ me }: { me: Me }) {
  const qc = useQueryClient();
  const path = usePath();
  const [practiceId, setPracticeId] = useState(() => {
    const saved = sessionStorage.getItem('practiceId');
    return me.practices.some((p) => p.practiceId === saved) ? saved! : me.practices[0]?.practiceId;
  });
  useEffect(() => {
    if (practiceId) sessionStorage.setItem('practiceId', practiceId);
  }, [practiceId]);
  const logout = async () => {
    await api('/auth/session', { method: 'DELETE' });
    sessionStorage.removeItem('practiceId');
    qc.clear();
    // A fresh page: nothing of the signed-out user stays in memory.
    window.location.assign('/');
  };
  const claimMatch = /^\/claims\/(.+)$/.exec(path);
  const nav = [
    ['/', 'Dashboard'],
    ['/claims', 'Find a claim'],
    ['/worklist', 'Worklist'],
    ...(APPROVER_ROLES.includes(me.role) ? ([['/approvals', 'Approvals']] as const) : []),
  ];
  return (
    <>
      <header className="top">
        <strong className="brand">rcm-pain</strong>
        <nav aria-label="Main">
          {nav.map(([to, label]) => (
            <a key={to} {...linkProps(to)} aria-current={path === to ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <div className="who">
          {me.practices.length > 1 ? (
            <label>
              Practice{' '}
              <select value={practiceId} onChange={(e) => setPracticeId(e.target.value)}>
                {me.practices.map((p) => (
                  <option key={p.practiceId} value={p.practiceId}>
                    {p.name}
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <span>{me.practices[0]?.name}</span>
          )}
          <span className="user">
            {me.name} ({me.role})
          </span>
          <button type="button" onClick={logout}>
            Sign out
          </button>
        </div>
      </header>
      <main>
        {!practiceId ? (
          <p>This user has no practice.</p>
        ) : claimMatch ? (
          <ClaimPage claimId={decodeURIComponent(claimMatch[1])} practiceId={new URLSearchParams(location.search).get('practiceId') ?? practiceId} me={me} />
        ) : path === '/claims' ? (
          <FindClaim practiceId={practiceId} />
        ) : path === '/approvals' && APPROVER_ROLES.includes(me.role) ? (
          <Approvals practiceId={practiceId} />
        ) : path === '/worklist' ? (
          <Worklist me={me} practiceId={practiceId} />
        ) : (
          <Dashboard practiceId={practiceId} />
        )}
      </main>
    </>
  );
}

function App() {
  const me = useQuery({ queryKey: ['me'], queryFn: () => api<Me>('/api/me'), staleTime: 60_000 });
  if (me.isPending) return <p className="loading">Loading…</p>;
  if (me.error) {
    if (me.error instanceof ApiError && me.error.status === 401) return <Login />;
    return (
      <p role="alert" className="error">
        {me.error.message}
      </p>
    );
  }
  return <Shell me={me.data} />;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
