import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Runs `tick(signal)` every `intervalMs` while its host is connected and the page is visible
 * (live counts, job progress). Each tick gets an AbortSignal that is aborted when the host
 * disconnects or the poll stops; a tick never overlaps the previous one.
 */
export class PollController implements ReactiveController {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private abort: AbortController | null = null;
  private running = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly tick: (signal: AbortSignal) => Promise<boolean | void>,
    private readonly intervalMs: number,
    /** Start as soon as the host connects (otherwise call `start()`). */
    private readonly auto = true,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    if (this.auto) this.start();
  }

  hostDisconnected(): void {
    this.stop();
  }

  /** Starts polling (the first tick after one interval). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort?.abort();
    this.abort = null;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.run(), this.intervalMs);
  }

  private async run(): Promise<void> {
    if (!this.running) return;
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return this.schedule();
    this.abort = new AbortController();
    let again: boolean | void = true;
    try {
      again = await this.tick(this.abort.signal);
    } catch {
      /* a failed tick is retried on the next one */
    }
    this.abort = null;
    if (again === false) this.running = false;
    this.schedule();
  }
}
