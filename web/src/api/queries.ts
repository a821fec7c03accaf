/** The GraphQL operations the dashboard sends, with the shapes they answer. */

export type RunStatus = 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
export type BarPeriod = 'SECOND' | 'MINUTE' | 'HOUR' | 'DAY';
export const TERMINAL: readonly RunStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED'];
export const isTerminal = (s: RunStatus) => TERMINAL.includes(s);

export type ParamSpec =
  | { __typename: 'IntParam'; name: string; description: string | null; intDefault: number; intMin: number | null; intMax: number | null; intStep: number | null }
  | { __typename: 'FloatParam'; name: string; description: string | null; floatDefault: number; floatMin: number | null; floatMax: number | null; floatStep: number | null; minExclusive: boolean }
  | { __typename: 'BoolParam'; name: string; description: string | null; boolDefault: boolean }
  | { __typename: 'EnumParam'; name: string; description: string | null; enumDefault: string; choices: string[] };

export interface Strategy {
  id: string;
  title: string;
  description: string;
  params: ParamSpec[];
}

export interface Coverage {
  period: BarPeriod;
  first: string;
  last: string;
  bars: number;
}

export interface Dataset {
  id: string;
  name: string;
  instruments: { symbol: string; coverage: Coverage[] }[];
}

export const CATALOG = `query DashboardCatalog {
  strategies {
    id title description
    params {
      __typename name description
      ... on IntParam { intDefault: default intMin: min intMax: max intStep: step }
      ... on FloatParam { floatDefault: default floatMin: min floatMax: max floatStep: step minExclusive }
      ... on BoolParam { boolDefault: default }
      ... on EnumParam { enumDefault: default choices }
    }
  }
  datasets { id name instruments { symbol coverage { period first last bars } } }
}`;
export interface CatalogData {
  strategies: Strategy[];
  datasets: Dataset[];
}

export interface Metrics {
  finalEquity: number;
  totalReturn: number;
  cagr: number | null;
  volatility: number | null;
  sharpe: number | null;
  sortino: number | null;
  maxDrawdown: number;
  maxDrawdownDuration: number;
  trades: number;
  winRate: number | null;
  profitFactor: number | null;
  totalCommission: number;
  exposure: number;
}
export const METRICS_FIELDS = 'finalEquity totalReturn cagr volatility sharpe sortino maxDrawdown maxDrawdownDuration trades winRate profitFactor totalCommission exposure';

export interface RunSummary {
  id: string;
  strategy: { id: string; title: string };
  params: Record<string, unknown>;
  symbols: string[];
  period: BarPeriod;
  dataset: string;
  start: string | null;
  end: string | null;
  initialCash: number;
  status: RunStatus;
  progress: number;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
  metrics: Metrics | null;
}
const RUN_SUMMARY = `id strategy { id title } params symbols period dataset start end initialCash status progress error createdAt finishedAt metrics { ${METRICS_FIELDS} }`;

export const RUN = `query DashboardRun($id: ID!) { run(id: $id) { ${RUN_SUMMARY} } }`;
export interface RunData {
  run: RunSummary | null;
}

export const RUNS = `query DashboardRuns($first: Int, $after: String, $status: RunStatus, $strategy: ID) {
  runs(first: $first, after: $after, status: $status, strategy: $strategy) {
    totalCount
    edges { cursor node { ${RUN_SUMMARY} } }
    pageInfo { hasNextPage endCursor }
  }
}`;
export interface RunsData {
  runs: { totalCount: number; edges: { cursor: string; node: RunSummary }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

export const START_RUN = `mutation DashboardStartRun($input: RunBacktestInput!) { runBacktest(input: $input) { id status } }`;
export const CANCEL_RUN = `mutation DashboardCancelRun($id: ID!) { cancelBacktest(id: $id) { id status } }`;
export const DELETE_RUNS = `mutation DashboardDeleteRuns($ids: [ID!]!) { deleteRuns(ids: $ids) }`;

export interface Fill {
  id: string;
  orderId: string;
  time: string;
  symbol: string;
  side: 'BUY' | 'SELL';
  quantity: number;
  price: number;
  commission: number;
}
export interface EquityPoint {
  time: string;
  equity: number;
  cash: number;
  drawdown: number;
}
export interface OrderUpdate {
  id: string;
  time: string;
  symbol: string;
  side: 'BUY' | 'SELL';
  type: string;
  quantity: number;
  limitPrice: number | null;
  stopPrice: number | null;
  status: string;
  filledQuantity: number;
  averageFillPrice: number | null;
  reason: string | null;
}

export const RUN_UPDATES = `subscription DashboardRunUpdates($id: ID!, $afterSeq: Int) {
  runUpdates(id: $id, afterSeq: $afterSeq) {
    seq status progress barsProcessed simTime
    fills { id orderId time symbol side quantity price commission }
    orderUpdates { id time symbol side type quantity limitPrice stopPrice status filledQuantity averageFillPrice reason }
    equity { time equity cash drawdown }
    latestEquity { time equity cash drawdown }
  }
}`;
export interface RunUpdate {
  seq: number;
  status: RunStatus;
  progress: number;
  barsProcessed: number;
  simTime: string | null;
  fills: Fill[];
  orderUpdates: OrderUpdate[];
  equity: EquityPoint[];
  latestEquity: EquityPoint | null;
}

export interface PriceBar {
  time: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}
export const PRICE_BARS = `query DashboardPriceBars($dataset: ID!, $symbol: String!, $period: BarPeriod!, $start: DateTime, $end: DateTime, $maxPoints: Int) {
  instrument(dataset: $dataset, symbol: $symbol) { symbol bars(period: $period, start: $start, end: $end, maxPoints: $maxPoints) { time open high low close volume } }
}`;
export interface PriceBarsData {
  instrument: { symbol: string; bars: PriceBar[] } | null;
}

export interface RoundTrip {
  symbol: string;
  side: 'BUY' | 'SELL';
  quantity: number;
  entryTime: string;
  exitTime: string;
  entryPrice: number;
  exitPrice: number;
  pnl: number;
  return: number;
  bars: number;
}
export const REPORT = `query DashboardReport($id: ID!) {
  run(id: $id) {
    ${RUN_SUMMARY}
    roundTrips { symbol side quantity entryTime exitTime entryPrice exitPrice pnl return bars }
    equityCurve(maxPoints: 2000) { time equity cash drawdown }
  }
}`;
export interface ReportData {
  run: (RunSummary & { roundTrips: RoundTrip[] | null; equityCurve: EquityPoint[] | null }) | null;
}

export const EQUITY_CURVE = `query DashboardEquityCurve($id: ID!) { run(id: $id) { ${RUN_SUMMARY} equityCurve(maxPoints: 1500) { time equity drawdown cash } } }`;
export interface EquityCurveData {
  run: (RunSummary & { equityCurve: EquityPoint[] | null }) | null;
}

export interface SweepResult {
  params: Record<string, unknown>;
  objectiveValue: number | null;
  runId: string | null;
  metrics: Metrics;
}
export interface SweepSummary {
  id: string;
  strategy: { id: string; title: string };
  symbols: string[];
  period: BarPeriod;
  dataset: string;
  status: RunStatus;
  progress: number;
  total: number;
  completed: number;
  failed: number;
  skipped: number;
  objective: string;
  maximize: boolean;
  grid: Record<string, unknown>;
  params: Record<string, unknown>;
  error: string | null;
  createdAt: string;
  best: SweepResult | null;
}
const SWEEP_RESULT = `params objectiveValue runId metrics { ${METRICS_FIELDS} }`;
const SWEEP_SUMMARY = `id strategy { id title } symbols period dataset status progress total completed failed skipped objective maximize grid params error createdAt best { ${SWEEP_RESULT} }`;

export const SWEEPS = `query DashboardSweeps($first: Int, $after: String) {
  sweeps(first: $first, after: $after) { totalCount edges { cursor node { ${SWEEP_SUMMARY} } } pageInfo { hasNextPage endCursor } }
}`;
export interface SweepsData {
  sweeps: { totalCount: number; edges: { cursor: string; node: SweepSummary }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}
export const SWEEP = `query DashboardSweep($id: ID!) { sweep(id: $id) { ${SWEEP_SUMMARY} } }`;
export interface SweepData {
  sweep: SweepSummary | null;
}
export const SWEEP_RESULTS = `query DashboardSweepResults($id: ID!, $first: Int, $after: String, $orderBy: SweepResultOrder) {
  sweep(id: $id) { results(first: $first, after: $after, orderBy: $orderBy) { totalCount edges { node { ${SWEEP_RESULT} } } pageInfo { hasNextPage endCursor } } }
}`;
export interface SweepResultsData {
  sweep: { results: { totalCount: number; edges: { node: SweepResult }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } | null;
}
export const START_SWEEP = `mutation DashboardStartSweep($input: RunSweepInput!) { runSweep(input: $input) { id total skipped } }`;
export const CANCEL_SWEEP = `mutation DashboardCancelSweep($id: ID!) { cancelSweep(id: $id) { id status } }`;
export const SWEEP_PROGRESS = `subscription DashboardSweepProgress($id: ID!) {
  sweepProgress(id: $id) { status progress completed failed skipped total best { ${SWEEP_RESULT} } }
}`;
export interface SweepProgressEvent {
  sweepProgress: { status: RunStatus; progress: number; completed: number; failed: number; skipped: number; total: number; best: SweepResult | null };
}

export interface Analytics {
  riskFreeRate: number;
  monthlyReturns: { year: number; month: number; return: number; partial: boolean }[];
  yearlyReturns: { year: number; return: number; partial: boolean }[];
  drawdowns: { peakTime: string; troughTime: string; recoveryTime: string | null; depth: number; lengthBars: number; recoveryBars: number | null }[];
  calmar: number | null;
  omega: number | null;
  tailRatio: number | null;
  valueAtRisk: number | null;
  expectedShortfall: number | null;
  skew: number | null;
  kurtosis: number | null;
  stabilityRSquared: number | null;
  averageLeverage: number | null;
  turnover: number | null;
  trades: {
    trades: number;
    wins: number;
    losses: number;
    averagePnl: number | null;
    bestPnl: number | null;
    worstPnl: number | null;
    averageWin: number | null;
    averageLoss: number | null;
    expectancy: number | null;
    sqn: number | null;
    averageBars: number | null;
    longestWinStreak: number;
    longestLossStreak: number;
  };
  benchmark: { dataset: string; symbol: string; totalReturn: number | null; cagr: number | null; alpha: number | null; beta: number | null; correlation: number | null; informationRatio: number | null } | null;
}
export const ANALYTICS = `query DashboardAnalytics($id: ID!) {
  run(id: $id) {
    id
    analytics {
      riskFreeRate
      monthlyReturns { year month return partial }
      yearlyReturns { year return partial }
      drawdowns(top: 5) { peakTime troughTime recoveryTime depth lengthBars recoveryBars }
      calmar omega tailRatio valueAtRisk expectedShortfall skew kurtosis stabilityRSquared averageLeverage turnover
      trades { trades wins losses averagePnl bestPnl worstPnl averageWin averageLoss expectancy sqn averageBars longestWinStreak longestLossStreak }
      benchmark { dataset symbol totalReturn cagr alpha beta correlation informationRatio }
    }
    exportUrls { fillsCsv ordersCsv roundTripsCsv equityCsv }
  }
}`;
export interface AnalyticsData {
  run: { id: string; analytics: Analytics | null; exportUrls: { fillsCsv: string; ordersCsv: string; roundTripsCsv: string; equityCsv: string } } | null;
}
