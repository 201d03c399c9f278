import { createContext, useContext } from 'react';
import { ApiClient } from '../api/api-client';

/**
 * The API token is kept in localStorage so a reload keeps the session. It is a bearer credential
 * for the core, unlike the researcher's secret key which stays in IndexedDB and is never sent.
 */
const TOKEN_KEY = 'ferry.token';

export function loadToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function saveToken(token: string): void {
  localStorage.setItem(TOKEN_KEY, token);
}

export function clearToken(): void {
  localStorage.removeItem(TOKEN_KEY);
}

export interface Session {
  api: ApiClient;
  signOut: () => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in view');
  return s;
}
