// Errors carry the exit code the CLI returns and a stable code for --json; only src/cli/program.ts
// calls process.exit. The codes are documented in README.md ("Exit codes"): keep the two in step.

export const EXIT = {
  ok: 0,
  /** Something the code did not expect: a bug. The message says what; LAB_DEBUG=1 prints the stack. */
  failure: 1,
  definition: 2,
  preflight: 3,
  step: 4,
  check: 5,
  /** The instance is in use: already up, or another lab command holds it right now. */
  busy: 6,
  /** The instance is not up (check, exec, ssh on something that is not running). */
  notUp: 7,
  /** `lab down` of the same instance stopped this `lab up`, and removed what it had created. */
  cancelled: 8,
  interrupted: 130,
} as const;

export class LabError extends Error {
  readonly exitCode: number = EXIT.failure;
  /** A stable name of the failure for --json ({ code, message }); each class has its default. */
  readonly code: string;
  static readonly defaultCode: string = 'failed';
  /** Lines shown under the message with --verbose (or always, when short). */
  details: string[] = [];
  /** More fields of the one --json object of the refusal (lab check's results beside its verdict). */
  json?: Record<string, unknown>;
  constructor(
    message: string,
    options?: { cause?: unknown; details?: string[]; code?: string; json?: Record<string, unknown> },
  ) {
    super(message, options);
    this.name = new.target.name;
    this.details = options?.details ?? [];
    this.json = options?.json;
    this.code = options?.code ?? (new.target as typeof LabError).defaultCode;
  }
}

/** A lab file, a flag or a name is wrong: nothing was created. */
export class DefinitionError extends LabError {
  override readonly exitCode = EXIT.definition;
  static override readonly defaultCode = 'definition';
}

/** The host lacks something the lab needs (root, a command, a kernel feature, a writable state folder). */
export class PreflightError extends LabError {
  override readonly exitCode = EXIT.preflight;
  static override readonly defaultCode = 'preflight';
}

/** lab could not carry out its work on the host or the nodes: a node not created, a daemon not started, a
 * VM's provisioning script or a lab step's actions failed (exit 4; its --json code stays 'step', as documented). */
export class ExecutionError extends LabError {
  override readonly exitCode = EXIT.step;
  static override readonly defaultCode = 'step';
}

/** A check did not pass within its named wait. */
export class CheckError extends LabError {
  override readonly exitCode = EXIT.check;
  static override readonly defaultCode = 'check';
}

/** The instance is up already, or another lab command is working on it. */
export class BusyError extends LabError {
  override readonly exitCode = EXIT.busy;
  static override readonly defaultCode = 'busy';
}

/** The instance is not up. */
export class NotUpError extends LabError {
  override readonly exitCode = EXIT.notUp;
  static override readonly defaultCode = 'not-up';
}

/** `lab down` of this instance cancelled the run; what it created is removed. */
export class CancelledError extends LabError {
  override readonly exitCode = EXIT.cancelled;
  static override readonly defaultCode = 'cancelled';
}

/** The run was interrupted (Ctrl-C, SIGTERM); what it created has been removed. */
export class InterruptedError extends LabError {
  override readonly exitCode = EXIT.interrupted;
  static override readonly defaultCode = 'interrupted';
}

export function exitCodeOf(error: unknown): number {
  return error instanceof LabError ? error.exitCode : EXIT.failure;
}

/** A host error (EACCES, EROFS, ENOSPC ...) while writing state, said as what it is: the host's, exit 3. */
export function hostWriteError(
  what: string,
  path: string,
  cause: unknown,
  /** A place a flag named (-o) is not the state folder: its own code and hint. */
  place?: { code: string; hint: string; why?: string },
): PreflightError {
  const e = (cause ?? {}) as NodeJS.ErrnoException;
  const why: Record<string, string> = {
    EROFS: 'is on a read-only file system',
    EACCES: 'is not writable by this user',
    EPERM: 'is not writable (its permissions, or an immutable attribute: lsattr -d)',
    ENOSPC: 'is on a full disk',
    ENOTDIR: 'has a file where a folder should be',
    EEXIST: 'has a file where a folder should be',
    ENOENT: 'cannot be created (a folder on the way went missing, or a pseudo file system such as /proc)',
  };
  return new PreflightError(
    `cannot write ${what} ${path}: it ${place?.why ?? why[e.code ?? ''] ?? `failed (${e.message})`}`,
    {
      cause,
      code: place?.code ?? 'state-unwritable',
      details: [
        place?.hint ??
          'Set LAB_STATE_DIR to a writable folder (default ~/.local/state/lab), or fix the permissions.',
      ],
    },
  );
}

/** Some attendees' instances of a workshop (lab up --instances) failed; the others are up. Its exit
 * code is that of the first attendee that failed (4 a step, 5 a check ...). */
export class AttendeesError extends LabError {
  override readonly exitCode: number;
  static override readonly defaultCode = 'attendees-failed';
  constructor(message: string, exitCode: number, options?: { details?: string[] }) {
    super(message, options);
    this.exitCode = exitCode;
  }
}
