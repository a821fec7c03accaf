import type { Metrics } from '../api/queries';
import { money, num, pct } from '../format';

/** The run's statistics (CONVENTIONS.md): ratios as percentages, money with cents. */
export function MetricsPanel({ metrics }: { metrics: Metrics }) {
  const rows: [string, string, string][] = [
    ['finalEquity', 'Final equity', money(metrics.finalEquity)],
    ['totalReturn', 'Total return', pct(metrics.totalReturn)],
    ['cagr', 'CAGR', pct(metrics.cagr)],
    ['volatility', 'Volatility', pct(metrics.volatility)],
    ['sharpe', 'Sharpe', num(metrics.sharpe, 3)],
    ['sortino', 'Sortino', num(metrics.sortino, 3)],
    ['maxDrawdown', 'Max drawdown', pct(metrics.maxDrawdown)],
    ['maxDrawdownDuration', 'Max drawdown duration', `${metrics.maxDrawdownDuration} bars`],
    ['trades', 'Trades', String(metrics.trades)],
    ['winRate', 'Win rate', pct(metrics.winRate)],
    ['profitFactor', 'Profit factor', num(metrics.profitFactor, 3)],
    ['totalCommission', 'Commission', money(metrics.totalCommission)],
    ['exposure', 'Exposure', pct(metrics.exposure)],
  ];
  return (
    <dl class="metrics" data-testid="metrics">
      {rows.map(([key, label, value]) => (
        <div key={key} class="metric">
          <dt>{label}</dt>
          <dd data-testid={`metric-${key}`} data-value={String(metrics[key as keyof Metrics] ?? '')}>
            {value}
          </dd>
        </div>
      ))}
    </dl>
  );
}
