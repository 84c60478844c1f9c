// The lab command's flags and commands (loaded by lab.ts once `lab --help`'s fast path is passed): each
// command's code is imported when it runs.
import { Command, Option } from 'commander';
// loads no provider: their names and what --provider's help says of each
import { providersInWords } from '../providers/index.js';

const collect = (value: string, previous: string[]) => [...previous, value];
const setOption = () =>
  new Option('--set <key=value>', 'override a lab parameter (repeatable)').argParser(collect).default([]);
const providerOption = () =>
  new Option('--provider <name>', `where the lab runs: ${providersInWords()}; default: the lab file's`);
const hypervisorOption = () =>
  new Option('--hypervisor <name>', 'the Vagrant provider for the VMs')
    .choices(['libvirt', 'virtualbox'])
    .default('libvirt');
const instanceOption = () =>
  new Option('-i, --instance <name>', 'run another copy of the lab beside the first').default(
    process.env.LAB_INSTANCE || 'default',
    '$LAB_INSTANCE, else default',
  );

const prefixOption = () =>
  new Option(
    '--prefix <name>',
    "with --instances: the attendees' instance names are NAME-1..N (default: attendee)",
  );
const parallelOption = () =>
  new Option('--parallel <n>', 'with --instances: instances handled at once (default: 8 per core)');

/** Runs a command; only here does the process exit, with the code the error carries. Under --json,
 * every refusal is one JSON object: { ok: false, code, exitCode, message, details, issues }. */
async function run(action: () => Promise<void>, json?: boolean): Promise<void> {
  try {
    // a state folder that cannot be lab's (/, /etc, a file, someone's files) is refused before anything runs
    const markState = (await import('../engine/state-root.js')).verifyStateRoot();
    try {
      await action();
    } finally {
      markState();
    }
  } catch (caught) {
    const { exitCodeOf, hostWriteError, LabError } = await import('../errors.js');
    const { printable } = await import('../printable.js');
    // a file the host would not write (a full disk, a read-only one) is the host's lack, not a bug:
    // exit 3 naming the path and the cause, wherever it was met
    const errno = caught as NodeJS.ErrnoException;
    const error =
      !(caught instanceof LabError) && ['ENOSPC', 'EROFS', 'EDQUOT'].includes(errno.code ?? '')
        ? errno.path
          ? hostWriteError('the file', errno.path, caught)
          : // a write on an open file: the system names no path
            hostWriteError('a file', '(the system did not say which)', caught)
        : caught;
    const e = error as Error & {
      quiet?: boolean;
      details?: string[];
      code?: string;
      json?: Record<string, unknown>;
    };
    const code = error instanceof LabError ? e.code : 'internal';
    if (json && !e.quiet) {
      const details = e.details ?? [];
      const hint = details.join(' ').trim() || 'see the message';
      const issue = { code, severity: 'error', path: '', message: e.message, hint };
      console.log(
        JSON.stringify(
          {
            ok: false,
            code,
            exitCode: exitCodeOf(error),
            message: e.message,
            details,
            issues: [issue],
            ...e.json,
          },
          null,
          2,
        ),
      );
    } else if (!e.quiet) {
      // a message may carry a node's output or a lab file's text: escape sequences shown, not obeyed
      console.error(`lab: ${printable(e.message)}`);
      for (const line of e.details ?? []) console.error(printable(line));
      if (!(error instanceof LabError) && process.env.LAB_DEBUG) console.error(e.stack);
    }
    process.exitCode = exitCodeOf(error);
  }
}

const program = new Command('lab')
  .description('Bring published networking demos up on this machine, proven by checks')
  .showHelpAfterError()
  .exitOverride(); // a wrong flag is a definition error: exit 2, JSON under --json

program
  .command('list')
  .description('list the labs under labs/')
  .option('--json', 'print JSON')
  .action((opts) => run(async () => (await import('./commands/list.js')).list(opts), opts.json));

program
  .command('lint <lab>')
  .description('check a lab definition (a name or a path to lab.yaml) and report every problem')
  .option('--json', 'print { ok, issues } as JSON')
  .option('--no-host', 'skip the checks against this host (routes, running labs, resources)')
  .addOption(setOption())
  .action((lab, opts) => run(async () => (await import('./commands/lint.js')).lint(lab, opts), opts.json));

program
  .command('render <lab>')
  .description("write every node's rendered configuration, for reading")
  .option('-o, --out <dir>', "output folder (default: the instance's state folder)")
  .option(
    '--validate',
    "then check each daemon's file with that daemon's own tool (bird -p, vtysh -C, gobgpd -d, netplan)",
  )
  .addOption(providerOption())
  .addOption(hypervisorOption())
  .addOption(setOption())
  .addOption(instanceOption())
  .action((lab, opts) => run(async () => (await import('./commands/render.js')).render(lab, opts)));

program
  .command('up <lab>')
  .description('create the nodes, start the daemons and wait until every check passes')
  .addOption(setOption())
  .addOption(instanceOption())
  .addOption(
    new Option(
      '--allow <codes>',
      'bring the lab up despite these lint errors (comma-separated codes; repeatable): traps on purpose, for teaching',
    )
      .argParser(collect)
      .default([]),
  )
  .option('--verbose', 'print every step of every node and every check, timed, as it happens')
  .addOption(providerOption())
  .addOption(hypervisorOption())
  .option(
    '--plan',
    'print every command the provider would run, per node and in order, and do nothing (vagrant providers)',
  )
  .option('--to <step>', 'a fresh instance brought to the end of this step (see lab steps)')
  .option(
    '--instances <n>',
    "a workshop: N isolated instances PREFIX-1..N side by side, each with its own SSH key; prints each attendee's OpenSSH config and key",
  )
  .addOption(prefixOption())
  .addOption(parallelOption())
  .action((lab, opts) => run(async () => (await import('./commands/up.js')).up(lab, opts)));

program
  .command('steps <lab>')
  .description("the lab's steps: done, next or pending, and the state of their checks")
  .addOption(instanceOption())
  .option('--json', 'print JSON')
  .action((lab, opts) => run(async () => (await import('./commands/steps.js')).steps(lab, opts)));

program
  .command('step <lab> [name]')
  .description('run the next step (or the one named) on a running lab, then its checks under their waits')
  .addOption(instanceOption())
  .option('--json', 'print the result as JSON')
  .action((lab, name, opts) => run(async () => (await import('./commands/steps.js')).step(lab, name, opts)));

program
  .command('serve <lab>')
  .description(
    "a workshop joined from laptops: brings N attendees' instances up (adopting those up), then serves their pages, browser terminals, an instructor dashboard and an SSH gateway until Ctrl-C",
  )
  .requiredOption('--instances <n>', "the attendees' instances, PREFIX-1..N")
  .addOption(prefixOption())
  .addOption(parallelOption())
  .option('--listen <address>', 'the address both ports listen on (default 127.0.0.1; any other needs TLS)')
  .option('--port <port>', 'the HTTP(S) port (default 8080, 8443 with TLS; 0: a free one, printed)')
  .option('--ssh-port <port>', "the SSH gateway's port (default 2222; 0: a free one, printed)")
  .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM)')
  .option('--tls-key <file>', "the certificate's key (PEM)")
  .option('--to <step>', 'instances it brings up start at the end of this step (0: before the first)')
  .addOption(setOption())
  .option(
    '--json',
    "print one JSON document once serving: the instructor's URL, each attendee's URL, SSH user, port and key",
  )
  .action((lab, opts) => run(async () => (await import('./commands/serve.js')).serve(lab, opts), opts.json));

program
  .command('down <lab>')
  .description('stop and remove everything the instance created (idempotent)')
  .addOption(instanceOption())
  .option('--instances <n>', "a workshop's N attendees' instances, PREFIX-1..N (see lab up --instances)")
  .addOption(prefixOption())
  .addOption(parallelOption())
  .option('--json', 'print { ok, lab, instance, removed, ms, beyondJournal, stopped } as JSON')
  .action((lab, opts) => run(async () => (await import('./commands/down.js')).down(lab, opts), opts.json));

program
  .command('check <lab>')
  .description('run the checks again on a running lab, in file order as up runs them')
  .addOption(instanceOption())
  .option('--json', 'print the results as JSON')
  .option('--wait', 'give each check its named wait instead of one try')
  .action((lab, opts) => run(async () => (await import('./commands/check.js')).check(lab, opts), opts.json));

program
  .command('status [lab]')
  .description('running instances (of one lab, or all), their nodes and dead processes')
  .option('--json', 'print JSON')
  .option('--brief', "one line per instance: its status, step, checks and health (a workshop's glance)")
  .option('-i, --instance <name>', 'that instance only (exit 7 if it is not up); default: every instance')
  .action((lab, opts) =>
    run(async () => (await import('./commands/status.js')).status(lab, opts), opts.json),
  );

program
  .command('exec <lab> <node> <command...>')
  .description(
    'run a command on a node (over its SSH connection): lab exec bgp-metallb router -- birdc show protocols',
  )
  .addOption(instanceOption())
  .action((lab, node, command, opts) =>
    run(async () => (await import('./commands/exec.js')).exec(lab, node, command, opts)),
  );

program
  .command('ssh <lab> <node>')
  .description('open a shell on a node with OpenSSH')
  .addOption(instanceOption())
  .action((lab, node, opts) => run(async () => (await import('./commands/ssh.js')).ssh(lab, node, opts)));

program
  .command('ssh-config <lab>')
  .description('print an OpenSSH config naming every node: ssh -F FILE router')
  .option(
    '--path',
    'print the path of the config file instead (OpenSSH closes inherited fds, so ssh -F <(...) cannot work)',
  )
  .addOption(instanceOption())
  .action((lab, opts) => run(async () => (await import('./commands/ssh.js')).sshConfig(lab, opts)));

program
  .command('graph <lab>')
  .description('draw the topology: clusters, networks with their prefixes, BGP sessions with their ASes')
  .option('--format <format>', 'svg (Graphviz in WebAssembly), dot or mermaid', 'svg')
  .option('-o, --out <file>', 'write to a file instead of stdout')
  .addOption(setOption())
  .action((lab, opts) => run(async () => (await import('./commands/graph.js')).graph(lab, opts)));

program
  .command('inventory <lab>')
  .description(
    "an Ansible inventory of a running instance: groups by role and cluster, each node's management address, user and key",
  )
  .option(
    '--format <format>',
    'ansible (YAML inventory) or json (what an inventory script prints)',
    'ansible',
  )
  .addOption(instanceOption())
  .action((lab, opts) => run(async () => (await import('./commands/inventory.js')).inventory(lab, opts)));

program
  .command('nightly [labs...]')
  .description(
    'tear down, rebuild and prove labs (default: every lab this host can run), N cycles each; JUnit, JSON history and an HTML report',
  )
  .option('--cycles <n>', 'up, checks, down and a leak check, this many times per lab', '1')
  .option(
    '--report <dir>',
    'where results.json, junit.xml, report.html and triage bundles go',
    'nightly-report',
  )
  .option(
    '--history <file>',
    'the JSON-lines history each run is compared with and appended to (default: DIR/history.jsonl)',
  )
  .option('--parallel <n>', 'labs at once (default: half the cores)')
  .addOption(
    new Option(
      '-i, --instance <name>',
      'the instance name of every cycle (beside your own default instances)',
    ).default('nightly'),
  )
  .addOption(setOption())
  .action((labs, opts) => run(async () => (await import('./commands/nightly.js')).nightly(labs, opts)));

const vm = program.command('vm').description('the VMs of --provider vagrant-host');
const box = vm.command('box').description('the Vagrant box the VM boots');
box
  .command('build')
  .description(
    'build the libvirt box from Debian packages (cached; every daemon the labs run, no network needed in the VM) and add it to Vagrant',
  )
  .option('--force', 'build again even if the cached box is current')
  .option('--json', 'print { ok, key, name, dir, file, boot, built, seconds } as JSON')
  .action((opts) => run(async () => (await import('./commands/vm.js')).vmBoxBuild(opts), opts.json));
box
  .command('prune')
  .description(
    "remove lab's boxes of other keys than the current one: their Vagrant box, libvirt volume, cache folder and kernel (a build that adds a new box does it too)",
  )
  .option('--dry-run', 'only list what would be removed')
  .option('--json', 'print { ok, dryRun, boxes: [{ key, name, removed, keptBecause? }] } as JSON')
  .action((opts) => run(async () => (await import('./commands/vm.js')).vmBoxPrune(opts), opts.json));

program
  .command('gc')
  .description('remove what crashed runs left behind (instances whose owner died, orphans by name prefix)')
  .option('--dry-run', 'only list what would be removed')
  .option('--json', 'print { ok, dryRun, instances, orphans, locks } as JSON')
  .action((opts) => run(async () => (await import('./commands/gc.js')).gc(opts), opts.json));

program.parseAsync(jsonAfterCommand(process.argv)).catch((error) => {
  const e = error as { code?: string; exitCode?: number; message?: string };
  if (!e.code?.startsWith('commander.')) throw error;
  // --help and --version are not failures; commander has printed its message already
  if (e.exitCode === 0) process.exitCode = 0;
  else {
    if (process.argv.includes('--json'))
      console.log(
        JSON.stringify({ ok: false, code: 'usage', exitCode: 2, message: e.message, issues: [] }, null, 2),
      );
    process.exitCode = 2;
  }
});

/** `lab --json up LAB` as `lab up --json LAB`: --json is each command's flag, and a user puts it first
 * as often as last. Only a --json before the command's name moves; what follows the name is the command's. */
function jsonAfterCommand(argv: string[]): string[] {
  const args = argv.slice(2);
  const name = args.findIndex((a) => !a.startsWith('-'));
  const before = args.slice(0, Math.max(name, 0));
  if (name < 0 || !before.includes('--json')) return argv;
  const rest = before.filter((a) => a !== '--json');
  return [...argv.slice(0, 2), ...rest, args[name], '--json', ...args.slice(name + 1)];
}
