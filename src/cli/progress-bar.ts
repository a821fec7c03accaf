/** A one-line progress bar on stderr, drawn only on a TTY and at most ~10 times a second. */
export class ProgressBar {
  private lastDraw = 0;
  private readonly enabled: boolean;

  constructor(private readonly label: string, stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = stream.isTTY === true;
    this.stream = stream;
  }
  private readonly stream: NodeJS.WriteStream;

  /** `detail` may be a function, called only when the bar is drawn (toLocaleString's first call costs ~30 ms). */
  update(fraction: number, detail: string | (() => string) = ''): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && fraction < 1) return;
    this.lastDraw = now;
    const width = 30;
    const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    this.stream.write(`\r${this.label} [${bar}] ${(fraction * 100).toFixed(1).padStart(5)}% ${typeof detail === 'function' ? detail() : detail}`.padEnd(80));
  }

  done(): void {
    if (this.enabled) this.stream.write('\n');
  }
}
