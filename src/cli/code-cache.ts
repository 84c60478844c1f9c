// Node 20 keeps no compiled code between runs (Node 22's module.enableCompileCache keeps what a module's
// first compile made, not the functions it runs): compiling the bundle and the functions a command runs
// was a third of lab lint's CPU. The bundle is CommonJS so that each of its files is compiled here, by
// vm.Script, with the code cache npm run build wrote beside it (FILE.cache: V8's code after build-time
// runs of the commands, build/code-caches.ts). V8 refuses a cache made by another V8, under other flags
// or for another source length by itself; the file is then compiled as Node would have.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import vm from 'node:vm';

/** Set by npm run build for its runs of the command: each file's code cache is written at exit. */
export const WRITE_CODE_CACHE = 'LAB_WRITE_CODE_CACHE';

type Compile = (this: Module, content: string, filename: string, ...rest: unknown[]) => unknown;
type Wrapper = (...args: unknown[]) => unknown;

/** V8 flags a command set (setV8Flag), each with the flag as it is by default: files are compiled under
 * the defaults, those the caches were made under (V8 would refuse every cache under others). */
const flagsSet = new Map<string, string>();

/** Compiles the .cjs files loaded from now on from `dir` down with their code caches. */
export function useCodeCaches(dir: string): void {
  const scripts = new Map<string, vm.Script>();
  const proto = Module.prototype as unknown as { _compile: Compile };
  const compile = proto._compile;
  proto._compile = function (content, filename, ...rest) {
    if (!filename.startsWith(dir + sep) || !filename.endsWith('.cjs'))
      return compile.call(this, content, filename, ...rest);
    const script = underDefaultFlags(
      () =>
        new vm.Script(Module.wrap(content), {
          filename,
          cachedData: cacheOf(filename),
        }),
    );
    scripts.set(filename, script);
    const wrapper = script.runInThisContext() as Wrapper;
    return wrapper.call(
      this.exports,
      this.exports,
      createRequire(filename),
      this,
      filename,
      dirname(filename),
    );
  };
  if (process.env[WRITE_CODE_CACHE])
    process.on('exit', () => {
      for (const [file, script] of scripts)
        writeAtomically(
          `${file}.cache`,
          underDefaultFlags(() => script.createCachedData()),
        );
    });
}

/** Sets a V8 flag (`--name=value`, `--no-name`) for the rest of the process, its code caches still used;
 * `byDefault` is the flag as V8 has it by default. */
export function setV8Flag(flag: string, byDefault: string): void {
  setFlagsFromString(flag);
  flagsSet.set(flag, byDefault);
}

function underDefaultFlags<T>(f: () => T): T {
  for (const byDefault of flagsSet.values()) setFlagsFromString(byDefault);
  try {
    return f();
  } finally {
    for (const flag of flagsSet.keys()) setFlagsFromString(flag);
  }
}

function cacheOf(file: string): Buffer | undefined {
  try {
    return readFileSync(`${file}.cache`);
  } catch {
    return undefined; // not built with one: compiled as usual
  }
}

function writeAtomically(file: string, data: Buffer): void {
  writeFileSync(`${file}.${process.pid}`, data);
  renameSync(`${file}.${process.pid}`, file);
}
