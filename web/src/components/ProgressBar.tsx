/** Progress 0..1 as a bar and a percentage. */
export function ProgressBar({ progress, status }: { progress: number; status: string | null }) {
  const percent = Math.max(0, Math.min(100, progress * 100));
  const label = `${percent === 100 ? '100' : percent.toFixed(1)} %`;
  return (
    <div class="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(percent)}>
      <div class={`progress-fill status-${(status ?? 'queued').toLowerCase()}`} style={{ width: `${percent}%` }} />
      <span class="progress-label" data-testid="progress">
        {label}
      </span>
    </div>
  );
}
