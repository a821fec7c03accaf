/**
 * The dashboard: start runs and sweeps, watch them live, read their reports. Preact (3 KB of
 * components and hooks) for the pages, lightweight-charts for the charts, graphql-ws for the live
 * streams; everything is bundled by Vite and served by the service itself.
 */
import { render } from 'preact';
import { KeyBar } from './components/KeyBar';
import { ComparePage } from './pages/Compare';
import { LiveRunPage } from './pages/LiveRun';
import { NewRunPage } from './pages/NewRun';
import { ReportPage } from './pages/Report';
import { RunsPage } from './pages/Runs';
import { SweepPage } from './pages/SweepView';
import { SweepsPage } from './pages/Sweeps';
import { href, useRoute, type Route } from './router';
import './styles.css';

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'new':
      return <NewRunPage />;
    case 'runs':
      return <RunsPage />;
    case 'run':
      return <LiveRunPage key={route.id} id={route.id} />;
    case 'report':
      return <ReportPage key={route.id} id={route.id} />;
    case 'compare':
      return <ComparePage ids={route.ids} />;
    case 'sweeps':
      return <SweepsPage />;
    case 'sweep':
      return <SweepPage key={route.id} id={route.id} />;
  }
}

function App() {
  const route = useRoute();
  const section = route.page === 'run' || route.page === 'report' || route.page === 'compare' ? 'runs' : route.page === 'sweep' ? 'sweeps' : route.page;
  return (
    <>
      <header class="top">
        <a class="brand" href={href({ page: 'new' })}>
          backtest-gql
        </a>
        <nav>
          <a class={section === 'new' ? 'active' : ''} href={href({ page: 'new' })}>
            New run
          </a>
          <a class={section === 'runs' ? 'active' : ''} href={href({ page: 'runs' })}>
            Runs
          </a>
          <a class={section === 'sweeps' ? 'active' : ''} href={href({ page: 'sweeps' })}>
            Sweeps
          </a>
          <a href="/graphql">GraphiQL</a>
        </nav>
        <KeyBar />
      </header>
      <main>
        <Page route={route} />
      </main>
      <footer>
        Charts by{' '}
        <a href="https://www.tradingview.com/lightweight-charts/" rel="noopener noreferrer">
          TradingView Lightweight Charts™
        </a>
        .
      </footer>
    </>
  );
}

render(<App />, document.getElementById('app')!);
