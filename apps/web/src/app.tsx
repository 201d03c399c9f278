import { useEffect, useMemo, useState } from 'react';
import { ApiClient } from './api/api-client';
import { FilesPage } from './files/files-page';
import { ensureKey } from './keys/key-store';
import { KeyPage } from './keys/key-page';
import { PendingBanner } from './negotiation/pending-banner';
import { navigate, useRoute } from './router.util';
import { clearToken, loadToken, saveToken, SessionContext } from './session/session';
import { SignInPage } from './session/sign-in-page';
import { TasksPage } from './tasks/tasks-page';
import { Logo } from './ui/logo';

const PAGES = [
  { page: 'files', label: 'Files' },
  { page: 'tasks', label: 'Tasks' },
  { page: 'key', label: 'Key' },
] as const;

export function App() {
  const [token, setToken] = useState<string | null>(loadToken);
  const route = useRoute();
  const session = useMemo(
    () =>
      token
        ? {
            api: new ApiClient(token),
            signOut: () => {
              clearToken();
              setToken(null);
            },
          }
        : null,
    [token],
  );

  const [user, setUser] = useState<string | null>(null);
  // Make the key pair as soon as someone signs in, so the first transfer does not wait for it.
  useEffect(() => {
    setUser(null);
    if (!session) return;
    void ensureKey().catch(() => undefined);
    session.api.me().then(
      (me) => setUser(me.name),
      (e) => {
        // a token revoked since the last visit: back to the sign-in page
        if ((e as { code?: string }).code === 'UNAUTHENTICATED') session.signOut();
      },
    );
  }, [session]);

  if (!session) {
    return (
      <SignInPage
        onSignedIn={(t) => {
          saveToken(t);
          setToken(t);
          navigate('files');
        }}
      />
    );
  }

  return (
    <SessionContext.Provider value={session}>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="app-header">
        <a className="brand" href="#/files" aria-label="ferry home">
          <Logo />
          ferry
        </a>
        <nav className="main-nav" aria-label="Main">
          {PAGES.map((p) => (
            <a key={p.page} href={`#/${p.page}`} aria-current={route.page === p.page ? 'page' : undefined}>
              {p.label}
            </a>
          ))}
        </nav>
        {user && (
          <span className="user-name" title="Signed in as">
            {user}
          </span>
        )}
        <button type="button" className="sign-out" onClick={session.signOut}>
          Sign out
        </button>
      </header>
      <PendingBanner />
      <main id="main" tabIndex={-1}>
        {route.page === 'files' && <FilesPage route={route} />}
        {route.page === 'tasks' && <TasksPage />}
        {route.page === 'key' && <KeyPage />}
      </main>
    </SessionContext.Provider>
  );
}
