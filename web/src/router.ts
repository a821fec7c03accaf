/**
 * Hash routes, so the server serves one page: #/new, #/runs, #/run/12, #/report/12, #/compare/3,4,
 * #/sweeps, #/sweep/2. Anything else opens the run form.
 */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'new' }
  | { page: 'runs' }
  | { page: 'run'; id: string }
  | { page: 'report'; id: string }
  | { page: 'compare'; ids: string[] }
  | { page: 'sweeps' }
  | { page: 'sweep'; id: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/');
  const id = parts[1] ?? '';
  const valid = /^\d{1,15}$/.test(id);
  switch (parts[0]) {
    case 'runs':
      return { page: 'runs' };
    case 'run':
      return valid ? { page: 'run', id } : { page: 'runs' };
    case 'report':
      return valid ? { page: 'report', id } : { page: 'runs' };
    case 'compare': {
      const ids = id.split(',').filter((s) => /^\d{1,15}$/.test(s));
      return ids.length >= 2 ? { page: 'compare', ids } : { page: 'runs' };
    }
    case 'sweeps':
      return { page: 'sweeps' };
    case 'sweep':
      return valid ? { page: 'sweep', id } : { page: 'sweeps' };
    default:
      return { page: 'new' };
  }
}

export function href(route: Route): string {
  switch (route.page) {
    case 'new':
      return '#/new';
    case 'runs':
    case 'sweeps':
      return `#/${route.page}`;
    case 'compare':
      return `#/compare/${route.ids.join(',')}`;
    default:
      return `#/${route.page}/${route.id}`;
  }
}

export function navigate(route: Route): void {
  window.location.hash = href(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
