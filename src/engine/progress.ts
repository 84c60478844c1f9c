// Progress on screen with listr2: a live tree on a terminal, plain lines otherwise (CI), or nothing.
import { Listr, type ListrTask } from 'listr2';
import { printable } from '../printable.js';

export interface ProgressTask {
  title: string;
  task?: () => Promise<unknown>;
  /** Run side by side; `say` updates the line with what the subtask is doing. */
  subtasks?: { title: string; task: (say: (s: string) => void) => Promise<unknown> }[];
  /** Let every subtask finish and fail at the end, instead of at the first failure. */
  collectErrors?: boolean;
  /** Run the subtasks one after another (default: side by side). */
  sequential?: boolean;
}

export class Progress {
  private readonly failures: Error[] = [];
  /** What listr shows of a failure (its message's control characters escaped), to the failure itself. */
  private readonly shown = new WeakMap<Error, Error>();

  constructor(
    private readonly renderer: 'default' | 'simple' | 'silent' = process.stdout.isTTY ? 'default' : 'simple',
  ) {}

  /** The failure as the terminal shows it: a node's output in a reason is escaped, not obeyed; the
   * caller still gets the failure itself. */
  private forScreen(e: unknown): unknown {
    if (!(e instanceof Error) || this.renderer === 'silent') return e;
    const message = printable(e.message);
    if (message === e.message) return e;
    const copy = Object.assign(Object.create(Object.getPrototypeOf(e)) as Error, e, { message });
    this.shown.set(copy, e);
    return copy;
  }

  async run(tasks: ProgressTask[]): Promise<void> {
    const list: ListrTask[] = tasks.map((t) => ({
      title: printable(t.title),
      task: async (_ctx, task) => {
        // a failure collected from the subtasks before stops the run here
        if (this.failures.length) throw this.forScreen(this.failures[0]);
        if (t.task) await t.task().catch((e) => Promise.reject(this.forScreen(e)));
        if (!t.subtasks) return;
        const before = this.failures.length;
        const sub = task.newListr(
          t.subtasks.map((s) => ({
            title: printable(s.title),
            task: async (_c, sub) => {
              try {
                await s.task((say) => {
                  sub.title = printable(`${s.title}: ${say}`);
                });
              } catch (e) {
                this.failures.push(e as Error);
                throw this.forScreen(e);
              }
            },
          })),
          { concurrent: !t.sequential, exitOnError: !t.collectErrors },
        );
        await sub.run();
        // collected failures fail the phase too: a ✔ over failed checks said the opposite of the verdict
        const failed = this.failures.length - before;
        if (failed) {
          task.title = printable(`${t.title}: ${failed} of ${t.subtasks.length} failed`);
          throw this.forScreen(this.failures[before]);
        }
      },
    }));
    const listr = new Listr(list, {
      concurrent: false,
      exitOnError: true,
      renderer: this.renderer,
      fallbackRenderer: 'simple',
      registerSignalListeners: false,
      rendererOptions: { collapseSubtasks: false },
    });
    try {
      await listr.run();
    } catch (e) {
      throw this.shown.get(e as Error) ?? e;
    }
    if (this.failures.length) throw this.failures[0];
  }
}
