/**
 * One run, live or finished: progress and simulated time, equity and drawdown growing, the price
 * with fill markers, the fills as they stream, cancel; the metrics once it has ended. A finished
 * run opens the same way: runUpdates replays it from storage.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { onApiKeyChange } from '../api/api-key';
import { asProblem, type ApiProblem } from '../api/errors';
import { gql } from '../api/graphql';
import { CANCEL_RUN, EQUITY_CURVE, PRICE_BARS, RUN, isTerminal, type EquityCurveData, type EquityPoint, type Fill, type PriceBarsData, type RunData } from '../api/queries';
import { Banner } from '../components/Banner';
import { EquityDrawdownChart, PriceChart, type GrowingSeries } from '../components/charts';
import { FillsTable } from '../components/FillsTable';
import { MetricsPanel } from '../components/MetricsPanel';
import { ProgressBar } from '../components/ProgressBar';
import { money, time } from '../format';
import { useFrameRefresh, useQuery } from '../hooks';
import { href } from '../router';
import { RunStream } from '../run-stream';

export function LiveRunPage({ id }: { id: string }) {
  const [keyVersion, setKeyVersion] = useState(0);
  useEffect(() => onApiKeyChange(() => setKeyVersion((v) => v + 1)), []);
  const stream = useMemo(() => new RunStream(id), [id, keyVersion]);
  useEffect(() => () => stream.close(), [stream]);
  const refresh = useFrameRefresh();
  useEffect(() => stream.listen(refresh), [stream, refresh]);

  const run = useQuery<RunData>(RUN, { id });
  const ended = stream.done || (stream.status !== null && isTerminal(stream.status));
  // Metrics are stored when the run ends: read the run again then.
  useEffect(() => {
    if (ended) run.reload();
  }, [ended]);

  const equity = useMemo<GrowingSeries<EquityPoint>>(() => ({ get items() { return stream.equity; }, listen: (l) => stream.listen(l) }), [stream]);
  // Live samples are a few per progress step; once the run has ended its stored curve replaces them.
  const stored = useQuery<EquityCurveData>(EQUITY_CURVE, ended ? { id } : null);
  const storedCurve = stored.data?.run?.equityCurve;
  const storedEquity = useMemo<GrowingSeries<EquityPoint> | null>(() => (storedCurve?.length ? { items: storedCurve, listen: () => () => {} } : null), [storedCurve]);

  const info = run.data?.run;
  const [symbol, setSymbol] = useState<string | null>(null);
  const chartSymbol = symbol ?? info?.symbols[0] ?? null;
  const bars = useQuery<PriceBarsData>(
    PRICE_BARS,
    info && chartSymbol
      ? {
          dataset: info.dataset,
          symbol: chartSymbol,
          period: info.period,
          start: info.start ? `${info.start}T00:00:00.000Z` : null,
          end: info.end ? `${info.end}T23:59:59.999Z` : null,
          maxPoints: 1500,
        }
      : null,
  );
  const symbolFills = useMemo<GrowingSeries<Fill>>(
    () => ({ get items() { return stream.fills.filter((f) => f.symbol === chartSymbol); }, listen: (l) => stream.listen(l) }),
    [stream, chartSymbol],
  );

  const [action, setAction] = useState<ApiProblem | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const cancel = async () => {
    setCancelling(true);
    setAction(null);
    try {
      await gql(CANCEL_RUN, { id });
    } catch (e) {
      setAction(asProblem(e));
    } finally {
      setCancelling(false);
    }
  };

  const status = stream.status ?? info?.status ?? null;
  if (run.problem && !info) return <div class="page"><Banner problem={run.problem} /></div>;
  if (run.data && !info) return <div class="page"><p>No run with id {id} (or it belongs to another API key).</p></div>;

  return (
    <div class="page live-run">
      <div class="page-head">
        <h2>
          Run {id}
          {info ? (
            <span class="subtitle">
              {info.strategy.title} · {info.symbols.join(', ')} · {info.period} · {info.dataset}
            </span>
          ) : null}
        </h2>
        <span class={`badge status-${(status ?? 'queued').toLowerCase()}`} data-testid="status">
          {status ?? '…'}
        </span>
        {status && !isTerminal(status) ? (
          <button type="button" class="danger" onClick={cancel} disabled={cancelling} data-testid="cancel">
            {cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        ) : null}
        {ended ? (
          <a class="button" href={href({ page: 'report', id })}>
            Report
          </a>
        ) : null}
      </div>
      <Banner problem={action} onClose={() => setAction(null)} />
      <Banner problem={stream.problem} />
      <ProgressBar progress={stream.progress} status={status} />
      <div class="facts">
        <span>
          simulated time <strong data-testid="sim-time">{time(stream.simTime)}</strong>
        </span>
        <span>
          bars <strong>{stream.barsProcessed.toLocaleString('en-US')}</strong>
        </span>
        <span>
          equity <strong data-testid="equity-now">{money(stream.latestEquity?.equity)}</strong>
        </span>
        <span>
          orders <strong>{stream.orders.size.toLocaleString('en-US')}</strong>
        </span>
        {info?.params ? <span class="muted">params {JSON.stringify(info.params)}</span> : null}
      </div>
      {info?.error ? <div class="banner banner-server">{info.error}</div> : null}
      {ended && info?.metrics ? (
        <section>
          <h3>Metrics</h3>
          <MetricsPanel metrics={info.metrics} />
        </section>
      ) : null}
      <div class="charts">
        <section>
          <h3>Equity and drawdown</h3>
          <EquityDrawdownChart key={storedEquity ? 'stored' : 'live'} source={storedEquity ?? equity} />
        </section>
        <section>
          <h3>
            Price and fills
            {info && info.symbols.length > 1 ? (
              <select value={chartSymbol ?? ''} onChange={(e) => setSymbol(e.currentTarget.value)}>
                {info.symbols.map((s) => (
                  <option key={s}>{s}</option>
                ))}
              </select>
            ) : null}
          </h3>
          <Banner problem={bars.problem} />
          {bars.data?.instrument ? <PriceChart bars={bars.data.instrument.bars} fills={symbolFills} /> : <div class="chart placeholder">{bars.loading ? 'Loading prices…' : ''}</div>}
        </section>
      </div>
      <section>
        <h3>Fills</h3>
        <FillsTable fills={stream.fills} />
      </section>
    </div>
  );
}
