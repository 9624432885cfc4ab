// The wizard's saves of the draft, one at a time. Typing asks for a save once it pauses;
// leaving a field, the step or the page asks for it now, and waits for any save under way.

/** How long typing pauses before the draft is saved. */
export const AUTOSAVE_DELAY_MS = 1000;

export class SaveQueue {
  /** A save waits for typing to pause. */
  pending = $state(false);
  /** Saves asked for and not finished (the one under way and those waiting their turn). */
  running = $state(0);

  private timer: ReturnType<typeof setTimeout> | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly autosave: () => Promise<boolean>;
  private readonly delay: number;

  /** `autosave` saves what changed, quietly (no focus moves), and resolves to whether it did. */
  constructor(autosave: () => Promise<boolean>, delayMs = AUTOSAVE_DELAY_MS) {
    this.autosave = autosave;
    this.delay = delayMs;
  }

  /** Saves once typing has paused for the delay; each call starts the wait again. */
  schedule(): void {
    clearTimeout(this.timer);
    this.pending = true;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.delay);
  }

  /** Saves now, after any save under way; resolves to whether it saved. */
  flush(): Promise<boolean> {
    return this.run(this.autosave);
  }

  /**
   * Runs `task` (a save of its own, such as the one of the Next button) once the saves before
   * it are done. The save waiting for typing to pause is dropped: `task` saves that as well.
   */
  run<T>(task: () => Promise<T>): Promise<T> {
    this.cancel();
    this.running += 1;
    const result = this.tail.then(task).finally(() => {
      this.running -= 1;
    });
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every save asked for so far is done (however it went). */
  async idle(): Promise<void> {
    await this.tail;
  }

  /** Drops the save waiting for typing to pause (one under way finishes). */
  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = false;
  }

  dispose(): void {
    this.cancel();
  }
}
