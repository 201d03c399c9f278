import { useEffect, useState } from 'react';

/**
 * Hash routes (#/files, #/tasks, #/key): the core serves one static index.html and
 * needs no fallback rules, and a reload keeps the page.
 */
export type Route = { page: 'files' | 'tasks' | 'key'; params: URLSearchParams };

function parse(): Route {
  const raw = window.location.hash.replace(/^#\/?/, '');
  const [name, query = ''] = raw.split('?');
  const page = name === 'tasks' || name === 'key' ? name : 'files';
  return { page, params: new URLSearchParams(query) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const on = () => setRoute(parse());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function navigate(page: Route['page'], params?: Record<string, string>): void {
  const q = params ? new URLSearchParams(params).toString() : '';
  window.location.hash = `/${page}${q ? `?${q}` : ''}`;
}
