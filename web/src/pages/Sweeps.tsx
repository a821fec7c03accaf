/** Start a sweep from the run form with a grid per parameter; the sweeps so far below it. */
import { useState } from 'preact/hooks';
import { asProblem, type ApiProblem } from '../api/errors';
import { gql } from '../api/graphql';
import { CATALOG, START_SWEEP, SWEEPS, type CatalogData, type SweepsData } from '../api/queries';
import { Banner } from '../components/Banner';
import { RunForm } from '../components/RunForm';
import { num, pct, time } from '../format';
import { useQuery } from '../hooks';
import { href, navigate } from '../router';

export function SweepsPage() {
  const catalog = useQuery<CatalogData>(CATALOG, {});
  const sweeps = useQuery<SweepsData>(SWEEPS, { first: 20 });
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const start = async (input: Record<string, unknown>) => {
    setBusy(true);
    setProblem(null);
    try {
      const r = await gql<{ runSweep: { id: string } }>(START_SWEEP, { input });
      navigate({ page: 'sweep', id: r.runSweep.id });
    } catch (e) {
      setProblem(asProblem(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="page">
      <h2>Sweeps</h2>
      <Banner problem={sweeps.problem ?? catalog.problem} />
      <section>
        <h3>Recent sweeps</h3>
        <table class="data" data-testid="sweeps">
          <thead>
            <tr>
              <th>Sweep</th>
              <th>Strategy</th>
              <th>Symbols</th>
              <th>Status</th>
              <th class="num">Combinations</th>
              <th>Objective</th>
              <th class="num">Best</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {(sweeps.data?.sweeps.edges ?? []).map(({ node: s }) => (
              <tr key={s.id}>
                <td>
                  <a href={href({ page: 'sweep', id: s.id })}>#{s.id}</a>
                </td>
                <td>{s.strategy.title}</td>
                <td>
                  {s.symbols.join(', ')} {s.period}
                </td>
                <td>
                  <span class={`badge status-${s.status.toLowerCase()}`}>{s.status}</span> <span class="muted">{pct(s.progress, 0)}</span>
                </td>
                <td class="num">
                  {s.completed}/{s.total}
                </td>
                <td>
                  {s.maximize ? 'max' : 'min'} {s.objective}
                </td>
                <td class="num">{num(s.best?.objectiveValue, 4)}</td>
                <td>{time(s.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {sweeps.data?.sweeps.edges.length === 0 ? <p class="muted">No sweeps yet.</p> : null}
      </section>
      <section>
        <h3>New sweep</h3>
        <p class="muted">Set a parameter to a range (min, max, step) or a list of values; the others stay fixed. Every combination runs on the worker pool.</p>
        {problem?.kind === 'bad-input' ? (
          <div class="banner banner-bad-input" role="alert" data-testid="problem" data-kind="bad-input">
            <strong>The server refused the sweep</strong>
            <span>See the fields marked below.</span>
          </div>
        ) : (
          <Banner problem={problem} onClose={() => setProblem(null)} />
        )}
        {catalog.data ? <RunForm catalog={catalog.data} mode="sweep" problem={problem} busy={busy} onSubmit={start} /> : null}
      </section>
    </div>
  );
}
