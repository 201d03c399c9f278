import { useState } from 'react';
import { ApiClient } from '../api/api-client';
import { toApiError, type ApiError } from '../api/api-error';
import { ErrorBox } from '../ui/error-box';
import { Logo } from '../ui/logo';

/** Sign in with an API token; the token is checked against the core before it is kept. */
export function SignInPage({ onSignedIn }: { onSignedIn: (token: string) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const t = token.trim();
    if (!t) return;
    setBusy(true);
    setError(null);
    try {
      await new ApiClient(t).me();
      onSignedIn(t);
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <form className="sign-in-card" onSubmit={submit} aria-labelledby="sign-in-title">
        <div className="brand brand-large" aria-hidden="true">
          <Logo size={34} />
          ferry
        </div>
        <h1 id="sign-in-title">Sign in</h1>
        <p className="muted">Move research data between providers, site to site. Sign in with the API token your administrator gave you.</p>
        <label htmlFor="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="current-password"
          autoFocus
          value={token}
          onChange={(e) => setToken(e.target.value)}
          required
        />
        <ErrorBox error={error} />
        <button type="submit" className="primary" disabled={busy || !token.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted small">Trying the demo (npm start)? Its banner and .ferry/demo.json list tokens for alice and bob.</p>
      </form>
    </main>
  );
}
