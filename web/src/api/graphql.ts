/** Queries and mutations over HTTP POST /graphql, with the API key in the Authorization header. */
import { authorization } from './api-key';
import { ApiProblem, problemOf } from './errors';

interface Response<T> {
  readonly data?: T | null;
  readonly errors?: readonly { message: string; extensions?: { code?: string } }[];
}

export async function gql<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
  };
  const auth = authorization();
  if (auth) headers.authorization = auth;
  let res: globalThis.Response;
  try {
    res = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  } catch (e) {
    throw new ApiProblem('network', e instanceof Error ? e.message : String(e));
  }
  let body: Response<T>;
  try {
    body = (await res.json()) as Response<T>;
  } catch {
    throw problemOf([{ message: `the service answered ${res.status} ${res.statusText} without a GraphQL body` }], res.status);
  }
  if (body.errors?.length) throw problemOf(body.errors, res.status);
  if (!res.ok) throw problemOf([{ message: `HTTP ${res.status}` }], res.status);
  if (body.data == null) throw new ApiProblem('server', 'the service answered without data');
  return body.data;
}
