/** Two or more runs side by side: equity curves overlaid, metrics in columns. */
import { useEffect, useState } from 'preact/hooks';
import { asProblem, type ApiProblem } from '../api/errors';
import { gql } from '../api/graphql';
import { EQUITY_CURVE, type EquityCurveData, type Metrics } from '../api/queries';
import { Banner } from '../components/Banner';
import { CompareChart, SERIES_COLORS } from '../components/charts';
import { money, num, pct } from '../format';
import { href } from '../router';

type Loaded = NonNullable<EquityCurveData['run']>;

const ROWS: [keyof Metrics, string, (v: number | null) => string][] = [
  ['finalEquity', 'Final equity', money],
  ['totalReturn', 'Total return', pct],
  ['cagr', 'CAGR', pct],
  ['volatility', 'Volatility', pct],
  ['sharpe', 'Sharpe', (v) => num(v, 3)],
  ['sortino', 'Sortino', (v) => num(v, 3)],
  ['maxDrawdown', 'Max drawdown', pct],
  ['maxDrawdownDuration', 'Max drawdown duration (bars)', (v) => String(v ?? '–')],
  ['trades', 'Trades', (v) => String(v ?? '–')],
  ['winRate', 'Win rate', pct],
  ['profitFactor', 'Profit factor', (v) => num(v, 3)],
  ['totalCommission', 'Commission', money],
  ['exposure', 'Exposure', pct],
];

export function ComparePage({ ids }: { ids: string[] }) {
  const [runs, setRuns] = useState<Loaded[] | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  useEffect(() => {
    let live = true;
    Promise.all(ids.map((id) => gql<EquityCurveData>(EQUITY_CURVE, { id }))).then(
      (all) => live && setRuns(all.map((d) => d.run).filter((r): r is Loaded => r !== null)),
      (e: unknown) => live && setProblem(asProblem(e)),
    );
    return () => {
      live = false;
    };
  }, [ids.join(',')]);
  const label = (r: Loaded) => `#${r.id} ${r.strategy.id} ${JSON.stringify(r.params)}`;
  return (
    <div class="page">
      <h2>Compare runs {ids.map((id) => `#${id}`).join(', ')}</h2>
      <Banner problem={problem} />
      {runs ? (
        <>
          <CompareChart curves={runs.map((r) => ({ label: `#${r.id}`, points: r.equityCurve ?? [] }))} />
          <div class="legend-list">
            {runs.map((r, k) => (
              <span key={r.id} class="legend-item">
                <span class={`swatch swatch-${k % SERIES_COLORS.length}`} />
                <a href={href({ page: 'report', id: r.id })}>{label(r)}</a>
              </span>
            ))}
          </div>
          <table class="data compare" data-testid="compare-table">
            <thead>
              <tr>
                <th>Metric</th>
                {runs.map((r) => (
                  <th key={r.id} class="num">
                    #{r.id} <span class="muted">{r.status}</span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {ROWS.map(([key, name, fmt]) => (
                <tr key={key}>
                  <td>{name}</td>
                  {runs.map((r) => (
                    <td key={r.id} class="num">
                      {r.metrics ? fmt(r.metrics[key] as number | null) : '–'}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : problem ? null : (
        <p class="muted">Loading…</p>
      )}
    </div>
  );
}
