// Errors carry the exit code the CLI returns; only src/cli/main.ts calls process.exit.

export const EXIT = {
  ok: 0,
  failure: 1,
  definition: 2,
  preflight: 3,
  step: 4,
  check: 5,
  interrupted: 130,
} as const;

export class LabError extends Error {
  readonly exitCode: number = EXIT.failure;
  /** Lines shown under the message with --verbose (or always, when short). */
  details: string[] = [];
  constructor(message: string, options?: { cause?: unknown; details?: string[] }) {
    super(message, options);
    this.name = new.target.name;
    this.details = options?.details ?? [];
  }
}

/** A lab file, a flag or a name is wrong: nothing was created. */
export class DefinitionError extends LabError {
  override readonly exitCode = EXIT.definition;
}

/** The host lacks something the lab needs (root, a command, a kernel feature). */
export class PreflightError extends LabError {
  override readonly exitCode = EXIT.preflight;
}

/** A step of the plan failed (a node could not be created, a daemon did not start). */
export class StepError extends LabError {
  override readonly exitCode = EXIT.step;
}

/** A check did not pass within its named wait. */
export class CheckError extends LabError {
  override readonly exitCode = EXIT.check;
}

/** The run was interrupted (Ctrl-C); what it created has been removed. */
export class InterruptedError extends LabError {
  override readonly exitCode = EXIT.interrupted;
}

export function exitCodeOf(error: unknown): number {
  return error instanceof LabError ? error.exitCode : EXIT.failure;
}
