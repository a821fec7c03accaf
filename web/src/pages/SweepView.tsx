/** One sweep: progress and the best so far live, then every result in a table and a heatmap over two parameters. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { asProblem, type ApiProblem } from '../api/errors';
import { gql } from '../api/graphql';
import { subscribe } from '../api/live';
import { CANCEL_SWEEP, SWEEP, SWEEP_PROGRESS, SWEEP_RESULTS, isTerminal, type SweepData, type SweepProgressEvent, type SweepResult, type SweepResultsData } from '../api/queries';
import { Banner } from '../components/Banner';
import { Heatmap, heatmapGrid } from '../components/Heatmap';
import { ProgressBar } from '../components/ProgressBar';
import { money, num, pct } from '../format';
import { useQuery } from '../hooks';
import { href } from '../router';

/** Results read for the heatmap: every combination up to this many. */
const MAX_RESULTS = 10_000;

export function SweepPage({ id }: { id: string }) {
  const sweep = useQuery<SweepData>(SWEEP, { id });
  const [live, setLive] = useState<SweepProgressEvent['sweepProgress'] | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  useEffect(
    () =>
      subscribe<SweepProgressEvent>(SWEEP_PROGRESS, { id }, {
        next: (d) => setLive(d.sweepProgress),
        error: (p) => setProblem(p),
        complete: () => sweep.reload(),
      }),
    [id],
  );
  const info = sweep.data?.sweep;
  const status = live?.status ?? info?.status ?? null;
  const done = status !== null && isTerminal(status);

  const [results, setResults] = useState<SweepResult[] | null>(null);
  useEffect(() => {
    if (!done) return;
    let alive = true;
    (async () => {
      const all: SweepResult[] = [];
      let after: string | null = null;
      for (;;) {
        const d: SweepResultsData = await gql<SweepResultsData>(SWEEP_RESULTS, { id, first: 1000, after, orderBy: 'OBJECTIVE' });
        const page = d.sweep?.results;
        if (!page) break;
        all.push(...page.edges.map((e) => e.node));
        if (!page.pageInfo.hasNextPage || all.length >= MAX_RESULTS) break;
        after = page.pageInfo.endCursor;
      }
      if (alive) setResults(all);
    })().catch((e: unknown) => alive && setProblem(asProblem(e)));
    return () => {
      alive = false;
    };
  }, [id, done]);

  const gridParams = useMemo(() => Object.keys(info?.grid ?? {}), [info]);
  const [xParam, setX] = useState<string | null>(null);
  const [yParam, setY] = useState<string | null>(null);
  const x = xParam ?? gridParams[0] ?? null;
  const y = yParam ?? gridParams[1] ?? gridParams[0] ?? null;
  const grid = useMemo(() => (results && x && y ? heatmapGrid(results, x, y, info?.maximize ?? true) : null), [results, x, y, info?.maximize]);

  const cancel = async () => {
    try {
      await gql(CANCEL_SWEEP, { id });
    } catch (e) {
      setProblem(asProblem(e));
    }
  };
  const best = live?.best ?? info?.best ?? null;
  const total = live?.total ?? info?.total ?? 0;
  const completed = live?.completed ?? info?.completed ?? 0;

  return (
    <div class="page">
      <div class="page-head">
        <h2>
          Sweep {id}
          {info ? (
            <span class="subtitle">
              {info.strategy.title} · {info.symbols.join(', ')} · {info.period} · {info.maximize ? 'maximize' : 'minimize'} {info.objective}
            </span>
          ) : null}
        </h2>
        <span class={`badge status-${(status ?? 'queued').toLowerCase()}`} data-testid="status">
          {status ?? '…'}
        </span>
        {status && !done ? (
          <button type="button" class="danger" onClick={cancel}>
            Cancel
          </button>
        ) : null}
      </div>
      <Banner problem={problem ?? sweep.problem} onClose={() => setProblem(null)} />
      <ProgressBar progress={live?.progress ?? info?.progress ?? 0} status={status} />
      <div class="facts">
        <span>
          combinations <strong data-testid="sweep-completed">{completed}</strong> of <strong>{total}</strong>
        </span>
        <span>
          failed <strong>{live?.failed ?? info?.failed ?? 0}</strong>
        </span>
        <span>
          skipped <strong>{live?.skipped ?? info?.skipped ?? 0}</strong>
        </span>
        {info ? <span class="muted">grid {JSON.stringify(info.grid)}</span> : null}
      </div>
      {info?.error ? <div class="banner banner-server">{info.error}</div> : null}
      <section>
        <h3>Best so far</h3>
        {best ? (
          <p data-testid="sweep-best">
            <strong>{num(best.objectiveValue, 5)}</strong> with {JSON.stringify(best.params)} · return {pct(best.metrics.totalReturn)} · final equity {money(best.metrics.finalEquity)}
            {best.runId ? (
              <>
                {' '}
                · <a href={href({ page: 'run', id: best.runId })}>run #{best.runId}</a>
              </>
            ) : null}
          </p>
        ) : (
          <p class="muted">No result yet.</p>
        )}
      </section>
      {grid && x && y ? (
        <section>
          <h3>
            Heatmap of {info?.objective}
            <label>
              {' '}
              x{' '}
              <select value={x} onChange={(e) => setX(e.currentTarget.value)} data-testid="heatmap-x">
                {gridParams.map((p) => (
                  <option key={p}>{p}</option>
                ))}
              </select>
            </label>
            <label>
              {' '}
              y{' '}
              <select value={y} onChange={(e) => setY(e.currentTarget.value)} data-testid="heatmap-y">
                {gridParams.map((p) => (
                  <option key={p}>{p}</option>
                ))}
              </select>
            </label>
          </h3>
          {grid.cells.length > 0 ? <Heatmap grid={grid} xParam={x} yParam={y} objective={info?.objective ?? ''} maximize={info?.maximize ?? true} /> : <p class="muted">No combination has a value for the objective.</p>}
        </section>
      ) : null}
      {results ? (
        <section>
          <h3>Results ({results.length})</h3>
          <div class="scroll">
            <table class="data" data-testid="sweep-results">
              <thead>
                <tr>
                  <th>#</th>
                  {gridParams.map((p) => (
                    <th key={p}>{p}</th>
                  ))}
                  <th class="num">{info?.objective}</th>
                  <th class="num">Return</th>
                  <th class="num">Sharpe</th>
                  <th class="num">Max drawdown</th>
                  <th class="num">Trades</th>
                  <th>Run</th>
                </tr>
              </thead>
              <tbody>
                {results.slice(0, 200).map((r, i) => (
                  <tr key={i}>
                    <td>{i + 1}</td>
                    {gridParams.map((p) => (
                      <td key={p}>{String(r.params[p])}</td>
                    ))}
                    <td class="num">{num(r.objectiveValue, 5)}</td>
                    <td class="num">{pct(r.metrics.totalReturn)}</td>
                    <td class="num">{num(r.metrics.sharpe, 3)}</td>
                    <td class="num">{pct(r.metrics.maxDrawdown)}</td>
                    <td class="num">{r.metrics.trades}</td>
                    <td>{r.runId ? <a href={href({ page: 'run', id: r.runId })}>#{r.runId}</a> : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : done ? (
        <p class="muted">Loading results…</p>
      ) : null}
    </div>
  );
}
