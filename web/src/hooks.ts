/** Data hooks: a query that reloads when its inputs or the API key change. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { onApiKeyChange } from './api/api-key';
import { asProblem, type ApiProblem } from './api/errors';
import { gql } from './api/graphql';

export interface QueryState<T> {
  readonly data: T | undefined;
  readonly problem: ApiProblem | undefined;
  readonly loading: boolean;
  reload(): void;
}

export function useQuery<T>(query: string, variables: Record<string, unknown> | null): QueryState<T> {
  const [state, setState] = useState<{ data?: T; problem?: ApiProblem; loading: boolean }>({ loading: variables !== null });
  const [tick, setTick] = useState(0);
  const key = variables === null ? null : JSON.stringify(variables);
  const latest = useRef(0);
  useEffect(() => onApiKeyChange(() => setTick((t) => t + 1)), []);
  useEffect(() => {
    if (key === null) return;
    const call = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    gql<T>(query, JSON.parse(key) as Record<string, unknown>).then(
      (data) => call === latest.current && setState({ data, loading: false }),
      (e: unknown) => call === latest.current && setState({ problem: asProblem(e), loading: false }),
    );
  }, [query, key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, problem: state.problem, loading: state.loading, reload };
}

/** Re-renders at most once per animation frame when `bump` is called. */
export function useFrameRefresh(): () => void {
  const [, setN] = useState(0);
  const pending = useRef(false);
  return useCallback(() => {
    if (pending.current) return;
    pending.current = true;
    requestAnimationFrame(() => {
      pending.current = false;
      setN((n) => n + 1);
    });
  }, []);
}
