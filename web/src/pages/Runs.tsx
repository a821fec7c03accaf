/** The run list: newest first, Relay pages ("more"), status and strategy filters, cancel, delete, compare. */
import { useEffect, useState } from 'preact/hooks';
import { asProblem, type ApiProblem } from '../api/errors';
import { gql } from '../api/graphql';
import { CANCEL_RUN, CATALOG, DELETE_RUNS, RUNS, isTerminal, type CatalogData, type RunsData, type RunStatus, type RunSummary } from '../api/queries';
import { Banner } from '../components/Banner';
import { money, pct, range, time } from '../format';
import { useQuery } from '../hooks';
import { href, navigate } from '../router';

const PAGE = 25;
const STATUSES: RunStatus[] = ['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'];

export function RunsPage() {
  const catalog = useQuery<CatalogData>(CATALOG, {});
  const [status, setStatus] = useState('');
  const [strategy, setStrategy] = useState('');
  const [pages, setPages] = useState(1);
  const [rows, setRows] = useState<RunSummary[]>([]);
  const [total, setTotal] = useState(0);
  const [more, setMore] = useState<string | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirming, setConfirming] = useState(false);
  const [tick, setTick] = useState(0);

  // Reads `pages` pages from the top again (after a filter change, an action, or a refresh).
  useEffect(() => {
    let live = true;
    (async () => {
      const got: RunSummary[] = [];
      let after: string | null = null;
      let next: string | null = null;
      let count = 0;
      for (let p = 0; p < pages; p++) {
        const d: RunsData = await gql<RunsData>(RUNS, { first: PAGE, after, status: status || null, strategy: strategy || null });
        got.push(...d.runs.edges.map((e) => e.node));
        count = d.runs.totalCount;
        next = d.runs.pageInfo.hasNextPage ? d.runs.pageInfo.endCursor : null;
        if (!next) break;
        after = next;
      }
      if (!live) return;
      setRows(got);
      setTotal(count);
      setMore(next);
      setProblem(null);
    })().catch((e: unknown) => live && setProblem(asProblem(e)));
    return () => {
      live = false;
    };
  }, [status, strategy, pages, tick]);

  // While some run is active, the list refreshes itself.
  const active = rows.some((r) => !isTerminal(r.status));
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setTick((n) => n + 1), 2_000);
    return () => clearInterval(t);
  }, [active]);

  const act = async (query: string, variables: Record<string, unknown>) => {
    try {
      await gql(query, variables);
      setTick((n) => n + 1);
    } catch (e) {
      setProblem(asProblem(e));
    }
  };
  const toggle = (id: string) => {
    const s = new Set(selected);
    if (s.has(id)) s.delete(id);
    else s.add(id);
    setSelected(s);
  };
  const ids = [...selected];

  return (
    <div class="page">
      <div class="page-head">
        <h2>Runs</h2>
        <span class="muted" data-testid="runs-total">
          {total} run{total === 1 ? '' : 's'}
        </span>
      </div>
      <Banner problem={problem} onClose={() => setProblem(null)} />
      <div class="toolbar">
        <label>
          Status{' '}
          <select value={status} onChange={(e) => (setStatus(e.currentTarget.value), setPages(1))} data-testid="filter-status">
            <option value="">all</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Strategy{' '}
          <select value={strategy} onChange={(e) => (setStrategy(e.currentTarget.value), setPages(1))} data-testid="filter-strategy">
            <option value="">all</option>
            {(catalog.data?.strategies ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {s.title}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => setTick((n) => n + 1)}>
          Refresh
        </button>
        <span class="spacer" />
        <button type="button" disabled={ids.length < 2} onClick={() => navigate({ page: 'compare', ids })} data-testid="compare">
          Compare {ids.length >= 2 ? ids.length : ''}
        </button>
        {confirming ? (
          <>
            <button
              type="button"
              class="danger"
              onClick={() => {
                setConfirming(false);
                setSelected(new Set());
                void act(DELETE_RUNS, { ids });
              }}
              data-testid="confirm-delete"
            >
              Delete {ids.length} run{ids.length === 1 ? '' : 's'} for good
            </button>
            <button type="button" class="link" onClick={() => setConfirming(false)}>
              keep them
            </button>
          </>
        ) : (
          <button type="button" class="danger" disabled={ids.length === 0} onClick={() => setConfirming(true)} data-testid="delete">
            Delete…
          </button>
        )}
      </div>
      <div class="scroll">
        <table class="data runs" data-testid="runs">
          <thead>
            <tr>
              <th />
              <th>Run</th>
              <th>Strategy</th>
              <th>Symbols</th>
              <th>Period</th>
              <th>Range</th>
              <th>Status</th>
              <th class="num">Final equity</th>
              <th class="num">Return</th>
              <th>Created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-run={r.id}>
                <td>
                  <input type="checkbox" checked={selected.has(r.id)} onChange={() => toggle(r.id)} aria-label={`select run ${r.id}`} />
                </td>
                <td>
                  <a href={href({ page: 'run', id: r.id })}>#{r.id}</a>
                </td>
                <td>{r.strategy.title}</td>
                <td>{r.symbols.join(', ')}</td>
                <td>{r.period}</td>
                <td>{range(r.start, r.end)}</td>
                <td>
                  <span class={`badge status-${r.status.toLowerCase()}`}>{r.status}</span>
                  {!isTerminal(r.status) ? <span class="muted"> {pct(r.progress, 0)}</span> : null}
                </td>
                <td class="num">{money(r.metrics?.finalEquity)}</td>
                <td class="num">{pct(r.metrics?.totalReturn)}</td>
                <td>{time(r.createdAt)}</td>
                <td class="row-actions">
                  {!isTerminal(r.status) ? (
                    <button type="button" class="small danger" onClick={() => void act(CANCEL_RUN, { id: r.id })}>
                      cancel
                    </button>
                  ) : (
                    <a href={href({ page: 'report', id: r.id })}>report</a>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length === 0 ? <p class="muted">No runs yet. Start one from New run.</p> : null}
      {more ? (
        <button type="button" onClick={() => setPages((p) => p + 1)} data-testid="more">
          More runs
        </button>
      ) : null}
    </div>
  );
}
