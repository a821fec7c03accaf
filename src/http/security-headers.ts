/**
 * Security headers on every response (API, GraphiQL, /health, 404s): no sniffing, no framing,
 * no referrer, and a Content-Security-Policy. API responses are data and get the strictest policy;
 * the GraphiQL page (one HTML file with an inline script, served by us) gets one that allows
 * exactly its own inline script, by hash, plus what its editor needs (blob: workers, inline styles).
 */
import { createHash } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';

const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': API_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** The GraphiQL page's policy for the inline scripts of `html`. */
export function graphiqlContentSecurityPolicy(html: string): string {
  const hashes = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`);
  return [
    "default-src 'none'",
    `script-src ${hashes.join(' ') || "'none'"}`,
    // Monaco (the editor) injects style elements and style attributes at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    // Queries over fetch, subscriptions over the WebSocket of the same host.
    "connect-src 'self'",
    // The editor's language workers are started from blob: URLs.
    'worker-src blob:',
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

type RenderGraphiQL<O> = (options: O) => string;

/**
 * Wraps a GraphiQL renderer so that the page it renders is served with a policy naming its inline
 * script. The page depends only on Yoga's GraphiQL options, which are fixed at start-up, so the
 * policy of the last rendering is the one of every page served; renderings are cached by options.
 */
export function graphiqlWithCsp<O>(render: RenderGraphiQL<O>): { render: RenderGraphiQL<O>; plugin: Plugin } {
  const pages = new Map<string, { html: string; csp: string }>();
  let currentCsp: string | undefined;
  return {
    render: (options) => {
      const key = JSON.stringify(options ?? {});
      let page = pages.get(key);
      if (!page) {
        const html = render(options);
        page = { html, csp: graphiqlContentSecurityPolicy(html) };
        if (pages.size < 8) pages.set(key, page);
      }
      currentCsp = page.csp;
      return page.html;
    },
    plugin: {
      onResponse({ response }) {
        if (currentCsp && response.headers.get('content-type')?.startsWith('text/html')) response.headers.set('content-security-policy', currentCsp);
      },
    },
  };
}
