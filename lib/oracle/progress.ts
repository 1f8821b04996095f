/** A one-line progress bar (cli-progress), drawn only when the stream is a terminal (stderr by default). */
import { SingleBar } from "cli-progress";

export class ProgressBar {
  private readonly bar?: SingleBar;
  private started = false;

  constructor(
    private readonly total: number,
    stream: NodeJS.WriteStream = process.stderr,
    enabled?: boolean,
  ) {
    if ((enabled ?? true) && stream.isTTY && total > 0) {
      this.bar = new SingleBar({
        stream,
        format: "[{bar}] {percentage}% {value}/{total} {note}",
        barCompleteChar: "█",
        barIncompleteChar: "░",
        barsize: 30,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 20,
      });
    }
  }

  update(done: number, note = ""): void {
    if (!this.bar) return;
    if (!this.started) {
      this.bar.start(this.total, done, { note });
      this.started = true;
    } else this.bar.update(done, { note });
  }

  finish(): void {
    if (this.bar && this.started) this.bar.stop();
  }
}
