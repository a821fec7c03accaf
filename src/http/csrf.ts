/**
 * Cross-site request forgery: a page of any site can make the browser send a "simple" request (a
 * form POST, a GET, text/plain) to this server without asking first. GraphQL never comes that way:
 * POSTs must be JSON (form-encoded, multipart and text/plain bodies are refused with 415), and
 * every other request must carry a header a simple request cannot have (Yoga's CSRF-prevention
 * plugin: `x-graphql-csrf`, or a preflighted content type such as application/json). GET
 * mutations are refused by Yoga itself (405).
 */
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { Plugin } from 'graphql-yoga';

export const CSRF_HEADER = 'x-graphql-csrf';

/** Content types a browser sends cross-site without a preflight. */
const SIMPLE_BODY_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

export function useCsrfProtection(): Plugin {
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(useCSRFPrevention({ requestHeaders: [CSRF_HEADER] }));
    },
    onRequest({ request, fetchAPI, endResponse }) {
      if (request.method !== 'POST') return;
      const type = (request.headers.get('content-type') ?? '').toLowerCase();
      if (!SIMPLE_BODY_TYPES.some((t) => type.startsWith(t))) return;
      const body = { errors: [{ message: `POST bodies must be application/json, not ${type.split(';')[0]}`, extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' } }] };
      endResponse(new fetchAPI.Response(JSON.stringify(body), { status: 415, headers: { 'content-type': 'application/json; charset=utf-8' } }));
    },
  };
}
