// Hostile and broken input: every refusal is quick, exits 2, and is one JSON object under --json
// with a stable code; nothing hangs (a FIFO, /dev/zero), nothing prints a raw errno or stack overflow.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labCli } from '../helpers/cli.js';
import { labFile } from '../helpers/labs.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-hostile-'));
const lab = labCli(join(dir, 'state'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** Ten levels of ten aliases each: 10^10 nodes once expanded. */
function aliasBomb(): string {
  let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
  for (let i = 1; i < 10; i++)
    text += `a${i}: &a${i} [${Array(10)
      .fill(`*a${i - 1}`)
      .join(', ')}]\n`;
  return `${text}name: bomb\n`;
}

/** A lab with n nodes each written out (no group): lint must stay linear, or refuse it quickly. */
function manyNodes(n: number): string {
  const nodes = Array.from(
    { length: n },
    (_, i) => `  n${i}: { interfaces: [{ network: a, index: ${i + 1} }] }`,
  );
  return `name: many\ndescription: x\nnetworks:\n  a: { prefix: 10.0.0.0/8 }\nnodes:\n${nodes.join('\n')}\n`;
}

const cases: [string, () => string[], string][] = [
  [
    'a FIFO as the lab file',
    () => {
      const fifo = join(dir, 'fifo.yaml');
      execFileSync('mkfifo', [fifo]);
      return [fifo];
    },
    'lab-file-unreadable',
  ],
  ['/dev/zero as the lab file', () => ['/dev/zero'], 'lab-file-unreadable'],
  [
    'a folder without lab.yaml',
    () => {
      mkdirSync(join(dir, 'empty'));
      return [join(dir, 'empty')];
    },
    'lab-not-found',
  ],
  ['a path through a file (ENOTDIR)', () => [`${labFile('bgp-metallb')}/lab.yaml`], 'lab-not-found'],
  ['a missing file', () => [join(dir, 'missing.yaml')], 'lab-not-found'],
  [
    'a file larger than any lab',
    () => [file('huge.yaml', `# ${'x'.repeat(1024 * 1024 + 10)}\n`)],
    'lab-file-too-large',
  ],
  ['a YAML alias bomb', () => [file('bomb.yaml', aliasBomb())], 'yaml-aliases'],
  [
    'nesting that overflows the parser',
    () => [file('deep.yaml', `name: ${'['.repeat(20000)}${']'.repeat(20000)}\n`)],
    'input-too-deep',
  ],
  [
    'nested mappings past the stack',
    () => [file('deep2.yaml', `name: x\nnodes: ${'{a: '.repeat(5000)}1${'}'.repeat(5000)}\n`)],
    'input-too-deep',
  ],
  ['five thousand nodes written out', () => [file('many.yaml', manyNodes(5000))], 'lab-too-large'],
  ['twenty thousand nodes written out', () => [file('many2.yaml', manyNodes(20000))], 'lab-file-too-large'],
  ['an unknown --set parameter', () => ['bgp-metallb', '--set', 'nope=1'], 'set-invalid'],
  ['a --set value of the wrong type', () => ['bgp-metallb', '--set', 'workers=many'], 'set-invalid'],
  ['a malformed --set', () => ['bgp-metallb', '--set', 'workers'], 'set-invalid'],
  ['an unknown flag', () => ['bgp-metallb', '--bogus'], 'usage'],
  [
    'a prefix with host bits',
    () => [
      file(
        'hostbits.yaml',
        readFileSync(labFile('bgp-metallb'), 'utf8').replace('10.0.0.0/24', '10.0.0.5/24'),
      ),
    ],
    'prefix-invalid',
  ],
  [
    'a MetalLB pool entry with host bits (was an uncoded internal error)',
    () => [
      file(
        'pool-hostbits.yaml',
        readFileSync(labFile('bgp-metallb'), 'utf8').replace('[172.16.254.0/24]', '[172.16.254.9/24]'),
      ),
    ],
    'prefix-invalid',
  ],
  [
    'a /32 MetalLB pool that avoid_buggy_ips empties (was a template crash)',
    () => [
      file(
        'pool-empty.yaml',
        readFileSync(labFile('bgp-metallb'), 'utf8').replace('[172.16.254.0/24]', '[172.16.254.255/32]'),
      ),
    ],
    'pool-exhausted',
  ],
  [
    'a node named __proto__ (was dropped unread: lint said ok)',
    () => [
      file(
        'proto-node.yaml',
        readFileSync(labFile('bgp-metallb'), 'utf8').replace(
          '\nnodes:\n',
          '\nnodes:\n  __proto__: { interfaces: [{ network: k8s-network, address: 10.0.0.99 }] }\n',
        ),
      ),
    ],
    'name-unsafe',
  ],
  [
    'a parameter named __proto__ (was dropped unread)',
    () => [
      file(
        'proto-param.yaml',
        readFileSync(labFile('bgp-metallb'), 'utf8').replace(
          '\nparams:\n',
          '\nparams:\n  "__proto__": { default: 1, description: x }\n',
        ),
      ),
    ],
    'name-unsafe',
  ],
  [
    "${constructor} in a check (printed JavaScript's Object function: lint said ok)",
    () => [
      file(
        'ref-constructor.yaml',
        readFileSync(labFile('bgp-metallb'), 'utf8').replace(
          'run: birdc show status',
          'run: birdc show status ${constructor} ${__proto__}',
        ),
      ),
    ],
    'param-unknown',
  ],
  [
    'a check command whose value doubles per loop nest (lint said ok; up made the lab, then exited 2)',
    () => {
      const nests = Array.from({ length: 12 }, (_, i) => `{% for v${i + 1} in [v${i} ~ v${i}] %}`).join('');
      const run = `{% for v0 in ['${'x'.repeat(1000)}'] %}${nests}{{ v12 | length }}${'{% endfor %}'.repeat(13)}`;
      return [
        file(
          'doubling.yaml',
          readFileSync(labFile('bgp-metallb'), 'utf8').replace(
            'run: birdc show status',
            `run: "echo ${run}"`,
          ),
        ),
      ];
    },
    'template-invalid',
  ],
  [
    'a wait of 30 000 years (lint said ok: a failing check then retried for as long)',
    () => [
      file(
        'wait-huge.yaml',
        readFileSync(labFile('bgp-metallb'), 'utf8').replace('bgp_session: 30,', 'bgp_session: 1e12,'),
      ),
    ],
    'schema',
  ],
  [
    "a check's wait named constructor (found Object's: lint said ok)",
    () => [
      file(
        'wait-constructor.yaml',
        readFileSync(labFile('bgp-metallb'), 'utf8').replace('wait: bgp_session', 'wait: constructor'),
      ),
    ],
    'unknown-reference',
  ],
  [
    "a role named constructor (found Object's: lint said ok)",
    () => [
      file(
        'role-constructor.yaml',
        readFileSync(labFile('bgp-metallb'), 'utf8').replace('roles: [bird-router]', 'roles: [constructor]'),
      ),
    ],
    'unknown-role',
  ],
];

describe('hostile lab files and flags are refused as JSON with a code, exit 2', () => {
  it.each(cases)('%s', async (_name, args, code) => {
    const started = Date.now();
    const r = await lab(['lint', '--json', '--no-host', ...args()], { timeout: 20_000 });
    expect(r.timedOut, 'lint hung').toBe(false);
    expect(r.exitCode, r.all).toBe(2);
    const out = JSON.parse(r.stdout) as { ok: boolean; issues: { code: string }[]; code?: string };
    expect(out.ok).toBe(false);
    expect([out.code, ...out.issues.map((i) => i.code)]).toContain(code);
    expect(r.stderr).not.toMatch(/ENOTDIR|EISDIR|call stack|at .*\.js:\d+/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('--set of a name every JavaScript object has is an unknown parameter, said so', async () => {
    for (const key of ['constructor', '__proto__']) {
      const r = await lab(['lint', '--no-host', 'bgp-metallb', '--set', `${key}=x`]);
      expect(r.exitCode, r.all).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(`this lab has no parameter '${key}'; its parameters are workers, speaker`),
      );
    }
  });

  it("--json before the command is the command's --json", async () => {
    const r = await lab(['--json', 'lint', '--no-host', join(dir, 'no-such-lab.yaml')]);
    expect(r.exitCode, r.all).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, code: 'lab-not-found', exitCode: 2 });
  });

  it('the same refusals are plain sentences without --json', async () => {
    const r = await lab(['lint', '--no-host', '/dev/zero']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/cannot read lab file \/dev\/zero: it is not a regular file/);
  });
});

describe('lab render -o', () => {
  it('leaves the folder holding exactly the last render: nodes an earlier one wrote are removed', async () => {
    const out = join(dir, 'rendered');
    expect((await lab(['render', 'bgp-metallb', '-o', out, '--set', 'workers=4'])).exitCode).toBe(0);
    expect(existsSync(join(out, 'worker4', 'etc', 'bird', 'bird.conf'))).toBe(true);
    const r = await lab(['render', 'bgp-metallb', '-o', out, '--set', 'workers=2']);
    expect(r.exitCode, r.all).toBe(0);
    expect(existsSync(join(out, 'worker2', 'etc', 'bird', 'bird.conf'))).toBe(true);
    expect(existsSync(join(out, 'worker3'))).toBe(false);
    expect(existsSync(join(out, 'worker4'))).toBe(false);
  });

  it('refuses a folder it did not render, and touches nothing in it', async () => {
    const out = join(dir, 'theirs');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const r = await lab(['render', 'bgp-metallb', '-o', out]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/is not empty, and lab did not write it/);
    expect(readdirSync(out)).toEqual(['notes.txt']);
  });

  it('never deletes or writes through a link planted in its folder', async () => {
    const out = join(dir, 'linked');
    const victim = join(dir, 'victim');
    expect((await lab(['render', 'bgp-metallb', '-o', out, '--set', 'workers=4'])).exitCode).toBe(0);
    // worker4's folder becomes a link to a folder outside, holding the same file names
    mkdirSync(join(victim, 'etc', 'bird'), { recursive: true });
    writeFileSync(join(victim, 'etc', 'bird', 'bird.conf'), 'precious');
    rmSync(join(out, 'worker4'), { recursive: true });
    symlinkSync(victim, join(out, 'worker4'));
    // the next render no longer writes worker4: its old files are not removed through the link
    const fewer = await lab(['render', 'bgp-metallb', '-o', out, '--set', 'workers=2']);
    expect(fewer.exitCode, fewer.all).toBe(0);
    expect(readFileSync(join(victim, 'etc', 'bird', 'bird.conf'), 'utf8')).toBe('precious');
    // a render that would write there is refused, exit 2, naming the link
    const more = await lab(['render', 'bgp-metallb', '-o', out, '--set', 'workers=4']);
    expect(more.exitCode, more.all).toBe(2);
    expect(more.stderr).toMatch(/worker4 is a symbolic link: lab does not write through links/);
    expect(readFileSync(join(victim, 'etc', 'bird', 'bird.conf'), 'utf8')).toBe('precious');
  });

  it.each([[[]], [['--provider', 'vagrant']], [['--provider', 'vagrant-host']]])(
    'refuses / and a folder it did not write, exit 2, writing nothing (%j)',
    async (provider) => {
      const root = await lab(['render', 'bgp-metallb', '-o', '/', ...provider]);
      expect(root.exitCode, root.all).toBe(2);
      expect(root.stderr).toMatch(/-o \/: lab does not write into \//);
      expect(existsSync('/Vagrantfile') || existsSync('/router') || existsSync('/.lab-rendered')).toBe(false);
      const theirs = join(dir, `theirs-as${provider.join('-')}`);
      mkdirSync(theirs);
      writeFileSync(join(theirs, 'Vagrantfile'), 'mine');
      const r = await lab(['render', 'bgp-metallb', '-o', theirs, ...provider]);
      expect(r.exitCode, r.all).toBe(2);
      expect(r.stderr).toMatch(/is not empty, and lab did not write it/);
      expect(readdirSync(theirs)).toEqual(['Vagrantfile']);
      expect(readFileSync(join(theirs, 'Vagrantfile'), 'utf8')).toBe('mine');
    },
  );

  it('the Vagrant project is re-rendered in place, and files it no longer writes go', async () => {
    const out = join(dir, 'vagrant-project');
    const four = await lab([
      'render',
      'bgp-metallb',
      '--provider',
      'vagrant',
      '-o',
      out,
      '--set',
      'workers=4',
    ]);
    expect(four.exitCode, four.all).toBe(0);
    expect(readdirSync(join(out, 'rendered'))).toContain('worker4');
    const two = await lab([
      'render',
      'bgp-metallb',
      '--provider',
      'vagrant',
      '-o',
      out,
      '--set',
      'workers=2',
    ]);
    expect(two.exitCode, two.all).toBe(0);
    expect(readdirSync(join(out, 'rendered'))).not.toContain('worker4');
    expect(readFileSync(join(out, 'Vagrantfile'), 'utf8')).not.toMatch(/worker4/);
  });

  it('a device is not a folder: exit 3 naming -o, not the state folder', async () => {
    const r = await lab(['render', 'bgp-metallb', '-o', '/dev/null']);
    expect(r.exitCode, r.all).toBe(3);
    expect(r.stderr).toMatch(
      /cannot write the rendered files into \/dev\/null: it is a device, not a folder/,
    );
    expect(r.stderr).toMatch(/Give -o a place/);
    expect(r.stderr).not.toMatch(/LAB_STATE_DIR|ENOTDIR/);
  });

  it('says where it cannot write, exit 3, and never spins on a pseudo file system', async () => {
    for (const out of ['/proc/lab-test/x', join(dir, 'missing.yaml-is-a-file')]) {
      if (!out.startsWith('/proc')) writeFileSync(out, 'a file');
      const r = await lab(['render', 'bgp-metallb', '-o', out], { timeout: 20_000 });
      expect(r.timedOut, `render into ${out} hung`).toBe(false);
      expect(r.exitCode, r.all).toBe(3);
      expect(r.stderr).toMatch(/cannot write the rendered files into/);
    }
  });
});
