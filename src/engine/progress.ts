// Progress on screen with listr2: a live tree on a terminal, plain lines otherwise (CI), or nothing.
import { Listr, type ListrTask } from 'listr2';

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

  constructor(
    private readonly renderer: 'default' | 'simple' | 'silent' = process.stdout.isTTY ? 'default' : 'simple',
  ) {}

  async run(tasks: ProgressTask[]): Promise<void> {
    const list: ListrTask[] = tasks.map((t) => ({
      title: t.title,
      task: async (_ctx, task) => {
        // a failure collected from the subtasks before stops the run here
        if (this.failures.length) throw this.failures[0];
        if (t.task) await t.task();
        if (!t.subtasks) return;
        const before = this.failures.length;
        const sub = task.newListr(
          t.subtasks.map((s) => ({
            title: s.title,
            task: async (_c, sub) => {
              try {
                await s.task((say) => {
                  sub.title = `${s.title}: ${say}`;
                });
              } catch (e) {
                this.failures.push(e as Error);
                throw e;
              }
            },
          })),
          { concurrent: !t.sequential, exitOnError: !t.collectErrors },
        );
        await sub.run();
        // collected failures fail the phase too: a ✔ over failed checks said the opposite of the verdict
        const failed = this.failures.length - before;
        if (failed) {
          task.title = `${t.title}: ${failed} of ${t.subtasks.length} failed`;
          throw this.failures[before];
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
    await listr.run();
    if (this.failures.length) throw this.failures[0];
  }
}
