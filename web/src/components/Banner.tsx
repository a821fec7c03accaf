import type { ApiProblem } from '../api/errors';

/** A problem from the service, titled by its kind (401/403 say so plainly). */
export function Banner({ problem, onClose }: { problem: ApiProblem | null | undefined; onClose?: () => void }) {
  if (!problem) return null;
  return (
    <div class={`banner banner-${problem.kind}`} role="alert" data-testid="problem" data-kind={problem.kind}>
      <strong>{problem.title}</strong>
      <span>{problem.message}</span>
      {problem.kind === 'unauthenticated' || problem.kind === 'forbidden' ? <span class="hint">Enter an API key with the right role in the field at the top right.</span> : null}
      {onClose ? (
        <button type="button" class="link" onClick={onClose} aria-label="dismiss">
          ×
        </button>
      ) : null}
    </div>
  );
}
