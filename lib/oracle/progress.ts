/** A one-line progress bar, drawn only when the stream is a terminal. */
export class ProgressBar {
  private readonly enabled: boolean;
  private last = "";

  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stdout,
    enabled?: boolean,
  ) {
    this.enabled = enabled ?? Boolean(stream.isTTY);
  }

  update(done: number, note = ""): void {
    if (!this.enabled || this.total === 0) return;
    const width = 30;
    const filled = Math.round((done / this.total) * width);
    const pct = Math.floor((done / this.total) * 100);
    const line = `[${"█".repeat(filled)}${"░".repeat(width - filled)}] ${String(pct).padStart(3)}% ${done}/${this.total} ${note}`;
    if (line === this.last) return;
    this.last = line;
    this.stream.write(`\r${line}\x1b[K`);
  }

  finish(): void {
    if (this.enabled && this.last !== "") this.stream.write("\n");
  }
}
