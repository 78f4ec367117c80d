/**
 * Undo steps of a run (unmount, stop a daemon or a server, remove a directory), run in
 * reverse order of registration, each at most once, whatever happened before: a failed
 * workload, an exception, or Ctrl-C.
 */
export class Cleanup {
  private steps: { name: string; fn: () => Promise<void> | void }[] = [];
  private running: Promise<string[]> | undefined;

  /** Registers a step; the returned function runs it now (and unregisters it). */
  add(name: string, fn: () => Promise<void> | void): () => Promise<void> {
    const step = { name, fn };
    this.steps.push(step);
    return async () => {
      const i = this.steps.indexOf(step);
      if (i < 0) return;
      this.steps.splice(i, 1);
      await fn();
    };
  }

  /** Runs every step still registered, newest first; returns the failures' messages. */
  runAll(): Promise<string[]> {
    return (this.running ??= (async () => {
      const failures: string[] = [];
      while (this.steps.length > 0) {
        const step = this.steps.pop()!;
        try {
          await step.fn();
        } catch (err) {
          failures.push(`${step.name}: ${(err as Error).message}`);
        }
      }
      return failures;
    })());
  }
}
