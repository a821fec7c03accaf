/**
 * A finished run's report: metrics, the equity and drawdown curve, round trips, and the analytics
 * (monthly and yearly returns, drawdown episodes, risk and trade statistics, the benchmark).
 */
import { useMemo, useState } from 'preact/hooks';
import { authorization } from '../api/api-key';
import { asProblem, ApiProblem } from '../api/errors';
import { ANALYTICS, REPORT, type Analytics, type AnalyticsData, type EquityPoint, type ReportData } from '../api/queries';
import { Banner } from '../components/Banner';
import { EquityDrawdownChart, type GrowingSeries } from '../components/charts';
import { MetricsPanel } from '../components/MetricsPanel';
import { money, num, pct, range, time } from '../format';
import { useQuery } from '../hooks';
import { href } from '../router';

export function ReportPage({ id }: { id: string }) {
  const report = useQuery<ReportData>(REPORT, { id });
  const analytics = useQuery<AnalyticsData>(ANALYTICS, { id });
  const run = report.data?.run;
  const curve = useMemo<GrowingSeries<EquityPoint>>(() => ({ items: run?.equityCurve ?? [], listen: () => () => {} }), [run]);
  const [download, setDownload] = useState<ApiProblem | null>(null);
  if (report.problem) return <div class="page"><Banner problem={report.problem} /></div>;
  if (!run) return <div class="page"><p class="muted">{report.loading ? 'Loading…' : `No run with id ${id}.`}</p></div>;
  const a = analytics.data?.run?.analytics ?? null;
  const urls = analytics.data?.run?.exportUrls;
  return (
    <div class="page report">
      <div class="page-head">
        <h2>
          Report of run {id}
          <span class="subtitle">
            {run.strategy.title} · {run.symbols.join(', ')} · {run.period} · {run.dataset} · {range(run.start, run.end)}
          </span>
        </h2>
        <span class={`badge status-${run.status.toLowerCase()}`}>{run.status}</span>
        <a class="button" href={href({ page: 'run', id })}>
          Live view
        </a>
      </div>
      <p class="muted">params {JSON.stringify(run.params)} · initial cash {money(run.initialCash)}</p>
      {run.error ? <div class="banner banner-server">{run.error}</div> : null}
      {run.metrics ? <MetricsPanel metrics={run.metrics} /> : <p class="muted">No metrics: the run has not completed.</p>}
      <section>
        <h3>Equity and drawdown</h3>
        <EquityDrawdownChart source={curve} />
      </section>
      <Banner problem={analytics.problem} />
      {a ? <AnalyticsSections a={a} /> : null}
      <section>
        <h3>Round trips ({run.roundTrips?.length ?? 0})</h3>
        <div class="scroll">
          <table class="data" data-testid="round-trips">
            <thead>
              <tr>
                <th>Symbol</th>
                <th>Side</th>
                <th class="num">Quantity</th>
                <th>Entry</th>
                <th class="num">Entry price</th>
                <th>Exit</th>
                <th class="num">Exit price</th>
                <th class="num">P&amp;L</th>
                <th class="num">Return</th>
                <th class="num">Bars</th>
              </tr>
            </thead>
            <tbody>
              {(run.roundTrips ?? []).map((t, i) => (
                <tr key={i} class={t.pnl >= 0 ? 'win' : 'loss'}>
                  <td>{t.symbol}</td>
                  <td>{t.side}</td>
                  <td class="num">{num(t.quantity, 8)}</td>
                  <td>{time(t.entryTime)}</td>
                  <td class="num">{money(t.entryPrice)}</td>
                  <td>{time(t.exitTime)}</td>
                  <td class="num">{money(t.exitPrice)}</td>
                  <td class="num">{money(t.pnl)}</td>
                  <td class="num">{pct(t.return)}</td>
                  <td class="num">{t.bars}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {urls ? (
        <section>
          <h3>Downloads</h3>
          <Banner problem={download} onClose={() => setDownload(null)} />
          <div class="downloads">
            {Object.entries({ fills: urls.fillsCsv, orders: urls.ordersCsv, 'round trips': urls.roundTripsCsv, equity: urls.equityCsv }).map(([name, url]) => (
              <button key={name} type="button" class="small" onClick={() => saveFile(url, `run-${id}-${name.replace(' ', '-')}.csv`).catch((e: unknown) => setDownload(asProblem(e)))}>
                {name} CSV
              </button>
            ))}
          </div>
        </section>
      ) : null}
    </div>
  );
}

/** Downloads with the API key (a plain link could not send it). */
async function saveFile(url: string, name: string): Promise<void> {
  const auth = authorization();
  const res = await fetch(url, { headers: auth ? { authorization: auth } : {} });
  if (!res.ok) throw new ApiProblem(res.status === 401 ? 'unauthenticated' : res.status === 403 ? 'forbidden' : 'server', `${url}: HTTP ${res.status}`, [], res.status);
  const blob = await res.blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function AnalyticsSections({ a }: { a: Analytics }) {
  const years = [...new Set(a.monthlyReturns.map((m) => m.year))].sort((x, y) => x - y);
  const byMonth = new Map(a.monthlyReturns.map((m) => [`${m.year}-${m.month}`, m]));
  const byYear = new Map(a.yearlyReturns.map((y) => [y.year, y]));
  const extreme = Math.max(1e-9, ...a.monthlyReturns.map((m) => Math.abs(m.return)));
  const cellClass = (r: number) => `ret ret-${Math.min(4, Math.ceil((Math.abs(r) / extreme) * 4))}${r < 0 ? ' neg' : ' pos'}`;
  const t = a.trades;
  const stats: [string, string][] = [
    ['Calmar', num(a.calmar, 3)],
    ['Omega', num(a.omega, 3)],
    ['Tail ratio', num(a.tailRatio, 3)],
    ['VaR 95 % (per bar)', pct(a.valueAtRisk)],
    ['Expected shortfall 95 %', pct(a.expectedShortfall)],
    ['Skew', num(a.skew, 3)],
    ['Excess kurtosis', num(a.kurtosis, 3)],
    ['Stability R²', num(a.stabilityRSquared, 3)],
    ['Average leverage', num(a.averageLeverage, 3)],
    ['Turnover per year', num(a.turnover, 3)],
    ['Risk-free rate', pct(a.riskFreeRate)],
  ];
  const trades: [string, string][] = [
    ['Trades', `${t.trades} (${t.wins} won, ${t.losses} lost)`],
    ['Average P&L', money(t.averagePnl)],
    ['Best / worst P&L', `${money(t.bestPnl)} / ${money(t.worstPnl)}`],
    ['Average win / loss', `${money(t.averageWin)} / ${money(t.averageLoss)}`],
    ['Expectancy', money(t.expectancy)],
    ['SQN', num(t.sqn, 3)],
    ['Average bars held', num(t.averageBars, 3)],
    ['Longest win / loss streak', `${t.longestWinStreak} / ${t.longestLossStreak}`],
  ];
  return (
    <>
      <section>
        <h3>Monthly returns</h3>
        <div class="wide">
          <table class="data monthly" data-testid="monthly-returns">
            <thead>
              <tr>
                <th>Year</th>
                {MONTHS.map((m) => (
                  <th key={m} class="num">
                    {m}
                  </th>
                ))}
                <th class="num">Year</th>
              </tr>
            </thead>
            <tbody>
              {years.map((y) => (
                <tr key={y}>
                  <td>{y}</td>
                  {MONTHS.map((_, i) => {
                    const m = byMonth.get(`${y}-${i + 1}`);
                    return (
                      <td key={i} class={m ? `num ${cellClass(m.return)}` : 'num'} title={m?.partial ? 'part of the month' : undefined}>
                        {m ? pct(m.return, 1) : ''}
                      </td>
                    );
                  })}
                  <td class="num strong">{byYear.has(y) ? pct(byYear.get(y)!.return, 1) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <div class="two-col">
        <section>
          <h3>Risk</h3>
          <dl class="kv">
            {stats.map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        </section>
        <section>
          <h3>Trades</h3>
          <dl class="kv">
            {trades.map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        </section>
      </div>
      <section>
        <h3>Deepest drawdowns</h3>
        <table class="data" data-testid="drawdowns">
          <thead>
            <tr>
              <th class="num">Depth</th>
              <th>Peak</th>
              <th>Trough</th>
              <th>Recovered</th>
              <th class="num">Bars under water</th>
            </tr>
          </thead>
          <tbody>
            {a.drawdowns.map((d, i) => (
              <tr key={i}>
                <td class="num">
                  {pct(d.depth)}
                </td>
                <td>{time(d.peakTime)}</td>
                <td>{time(d.troughTime)}</td>
                <td>{d.recoveryTime ? time(d.recoveryTime) : 'not yet'}</td>
                <td class="num">{d.lengthBars}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {a.benchmark ? (
        <section>
          <h3>
            Against buy-and-hold {a.benchmark.symbol} ({a.benchmark.dataset})
          </h3>
          <dl class="kv inline">
            <div>
              <dt>Benchmark return</dt>
              <dd>{pct(a.benchmark.totalReturn)}</dd>
            </div>
            <div>
              <dt>Benchmark CAGR</dt>
              <dd>{pct(a.benchmark.cagr)}</dd>
            </div>
            <div>
              <dt>Alpha</dt>
              <dd>{pct(a.benchmark.alpha)}</dd>
            </div>
            <div>
              <dt>Beta</dt>
              <dd>{num(a.benchmark.beta, 3)}</dd>
            </div>
            <div>
              <dt>Correlation</dt>
              <dd>{num(a.benchmark.correlation, 3)}</dd>
            </div>
            <div>
              <dt>Information ratio</dt>
              <dd>{num(a.benchmark.informationRatio, 3)}</dd>
            </div>
          </dl>
        </section>
      ) : null}
    </>
  );
}
