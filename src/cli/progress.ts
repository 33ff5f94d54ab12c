import { formatDuration } from './format';
import { OutputStream } from './io';
import { Style } from './style';
import { WaitProgress } from '../runtime/wait-for-execution';

const FRAMES = ['|', '/', '-', '\\'];
const REDRAW_MS = 200;

/**
 * Progress while waiting, on stderr so stdout stays parseable. On a TTY: one line redrawn in place with a spinner
 * and the elapsed time. Otherwise (CI logs, pipes): one line each time the status changes.
 */
export class WaitProgressReporter {
  private lastStatus: string | undefined;
  private lastLine = '';
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt = Date.now();

  constructor(private readonly stream: OutputStream, private readonly style: Style) {}

  public update(progress: WaitProgress): void {
    const line = `Waiting for execution ${progress.pipelineExecutionId}: ${this.style.status(progress.status)}`;
    if (this.stream.isTTY) {
      this.lastLine = line;
      this.redraw();
      if (!this.timer) {
        this.timer = setInterval(() => this.redraw(), REDRAW_MS);
        this.timer.unref();
      }
    } else if (progress.status !== this.lastStatus) {
      this.stream.write(`${line} (${formatDuration(progress.elapsedSeconds)} elapsed)\n`);
    }
    this.lastStatus = progress.status;
  }

  /** Stop redrawing and leave the cursor on a clean line. */
  public finish(): void {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.stream.write('\r\u001b[2K');
    }
  }

  private redraw(): void {
    this.frame = (this.frame + 1) % FRAMES.length;
    const elapsed = formatDuration((Date.now() - this.startedAt) / 1000);
    this.stream.write(`\r\u001b[2K${FRAMES[this.frame]} ${this.lastLine} (${elapsed})`);
  }
}
