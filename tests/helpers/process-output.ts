/** What a spawned process printed (stdout and stderr), and waits for a line of it. */
export class ProcessOutput {
  private output = '';
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly who: string,
    initial = '',
  ) {
    this.output = initial;
  }

  readonly append = (chunk: Buffer): void => {
    this.output += chunk.toString();
    for (const wake of [...this.waiters]) wake();
  };

  get text(): string {
    return this.output;
  }

  /** Resolves once the output matches `pattern`. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<void> {
    await new Promise<void>((resolveMatch, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`${this.who}'s output did not match ${String(pattern)} in ${timeoutMs} ms:\n${this.output}`));
      }, timeoutMs);
      const check = (): void => {
        if (!pattern.test(this.output)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolveMatch();
      };
      this.waiters.add(check);
      check();
    });
  }
}
