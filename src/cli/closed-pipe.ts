/**
 * `backtest ... | head`: once the reader has gone, writing to stdout fails with EPIPE. Like any
 * Unix tool the command then stops quietly instead of printing a stack trace.
 */
export function stopQuietlyWhenStdoutCloses(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}
