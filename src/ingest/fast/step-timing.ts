/**
 * DWELL_TIMING=1: where a file's time goes, step by step (wall ms and the process's CPU ms since
 * the previous step), written to standard error as one `timing: steps` line per file. The CPU is
 * the whole process's (every thread): it belongs to the step alone only with one lane (--workers 1).
 * Off (the default), every call is a no-op.
 */
const enabled = process.env.DWELL_TIMING === '1';

export class StepTiming {
  private wall = enabled ? performance.now() : 0;
  private cpu = enabled ? process.cpuUsage() : { user: 0, system: 0 };
  private readonly steps: string[] = [];

  constructor(private readonly label: string) {}

  /** Ends the step named `name` (it began at the previous mark or at construction). */
  mark(name: string): void {
    if (!enabled) return;
    const wall = performance.now();
    const cpu = process.cpuUsage(this.cpu);
    this.steps.push(`${name} ${(wall - this.wall).toFixed(1)}/${((cpu.user + cpu.system) / 1000).toFixed(1)}`);
    this.wall = wall;
    this.cpu = process.cpuUsage();
  }

  /** Writes the steps so far (`name wall/cpu` in ms). */
  write(): void {
    if (!enabled || this.steps.length === 0) return;
    process.stderr.write(`timing: steps ${JSON.stringify(this.label)} ${this.steps.join(', ')}\n`);
  }
}
