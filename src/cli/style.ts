import { CliIo, OutputStream } from './io';

/** Terminal styling that is off for non-TTY streams, with NO_COLOR set (any non-empty value) or TERM=dumb. */
export class Style {
  public static for(stream: OutputStream, env: CliIo['env']): Style {
    const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
    return new Style(stream.isTTY === true && !noColor && env.TERM !== 'dumb');
  }

  constructor(public readonly color: boolean) {}

  public bold(text: string): string { return this.wrap(text, 1, 22); }
  public dim(text: string): string { return this.wrap(text, 2, 22); }
  public red(text: string): string { return this.wrap(text, 31, 39); }
  public green(text: string): string { return this.wrap(text, 32, 39); }
  public yellow(text: string): string { return this.wrap(text, 33, 39); }
  public cyan(text: string): string { return this.wrap(text, 36, 39); }

  /** Colour a pipeline/stage/action status by what it means. */
  public status(status: string): string {
    if (status === 'Succeeded') return this.green(status);
    if (status === 'Failed' || status === 'Cancelled' || status === 'Abandoned') return this.red(status);
    if (status === 'InProgress' || status === 'Stopping' || status === 'Stopped' || status === 'Superseded') return this.yellow(status);
    return status;
  }

  /** cli-table3 style option: colours only when enabled. */
  public tableStyle(): { head: string[]; border: string[] } {
    return this.color ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] };
  }

  private wrap(text: string, open: number, close: number): string {
    return this.color ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  }
}
