import { useState } from 'preact/hooks';
import { asProblem, type ApiProblem } from '../api/errors';
import { gql } from '../api/graphql';
import { CATALOG, START_RUN, type CatalogData } from '../api/queries';
import { Banner } from '../components/Banner';
import { RunForm } from '../components/RunForm';
import { useQuery } from '../hooks';
import { navigate } from '../router';

export function NewRunPage() {
  const catalog = useQuery<CatalogData>(CATALOG, {});
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const start = async (input: Record<string, unknown>) => {
    setBusy(true);
    setProblem(null);
    try {
      const r = await gql<{ runBacktest: { id: string } }>(START_RUN, { input });
      navigate({ page: 'run', id: r.runBacktest.id });
    } catch (e) {
      setProblem(asProblem(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="page">
      <h2>New run</h2>
      <Banner problem={catalog.problem} />
      {problem?.kind === 'bad-input' ? (
        <div class="banner banner-bad-input" role="alert" data-testid="problem" data-kind="bad-input">
          <strong>The server refused the input</strong>
          <span>See the fields marked below.</span>
        </div>
      ) : (
        <Banner problem={problem} onClose={() => setProblem(null)} />
      )}
      {catalog.data ? <RunForm catalog={catalog.data} mode="run" problem={problem} busy={busy} onSubmit={start} /> : catalog.loading ? <p class="muted">Loading strategies and datasets…</p> : null}
    </div>
  );
}
