// A node is no window onto the host: from a shell on a node, the host is read-only, /tmp and /home are
// the node's own, and no lab state folder (keys, journals, other instances) nor /run/lab is there.
// Then a hostile attendee, root on a node: every way out tried fails, a fork bomb and a disk filler stay
// inside the node's limits, and the host and the other attendee's lab are unharmed.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statfsSync,
  statSync,
} from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInstance } from '../../src/engine/instances.js';
import { holderShell } from '../../src/nightly/triage.js';
import { PROJECT_DIR } from '../../src/paths.js';
import { managementAddresses } from '../../src/providers/netns/management.js';
import { shellQuote } from '../../src/shell-quote.js';
import { labCli } from '../helpers/cli.js';
import { isRoot } from '../helpers/labs.js';

describe.skipIf(!isRoot)('the node sandbox', () => {
  // one instance's state folder outside /tmp (in the checkout, under node_modules/.cache: git status
  // stays as it was for the README runner beside it), the other's in /tmp: both hidden
  const stateA = join(PROJECT_DIR, 'node_modules', '.cache', `lab-sandbox-test-${process.pid}`);
  const stateB = mkdtempSync(join(tmpdir(), 'lab-sandbox-'));
  const labA = labCli(stateA);
  const labB = labCli(stateB);
  const [a, b] = [`sba${process.pid % 100000}`, `sbb${process.pid % 100000}`];
  const keyOf = (state: string, instance: string) =>
    join(state, 'bgp-metallb', instance, 'ssh', 'id_ed25519');

  beforeAll(async () => {
    mkdirSync(stateA, { recursive: true });
    const upA = await labA(['up', 'bgp-metallb', '-i', a, '--set', 'workers=1']);
    expect(upA.exitCode, upA.all).toBe(0);
    const upB = await labB(['up', 'bgp-metallb', '-i', b, '--set', 'workers=1']);
    expect(upB.exitCode, upB.all).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await labA(['down', 'bgp-metallb', '-i', a]);
    await labB(['down', 'bgp-metallb', '-i', b]);
    rmSync(stateA, { recursive: true, force: true });
    rmSync(stateB, { recursive: true, force: true });
  }, 60_000);

  const onNode = (lab: typeof labA, instance: string, node: string, script: string) =>
    lab(['exec', 'bgp-metallb', '-i', instance, node, '--', script]);

  it("hides every instance's keys and state, its own included, and /run/lab", async () => {
    expect(existsSync(keyOf(stateA, a)) && existsSync(keyOf(stateB, b)), 'the keys exist on the host').toBe(
      true,
    );
    for (const key of [keyOf(stateA, a), keyOf(stateB, b)]) {
      const r = await onNode(labB, b, 'router', `cat ${key}`);
      expect(r.exitCode, `${key} was readable from a node`).not.toBe(0);
      expect(r.stdout).not.toMatch(/PRIVATE KEY/);
    }
    const r = await onNode(labA, a, 'worker1', `ls -A ${stateA} | wc -l; ls /run/lab 2>&1`);
    expect(r.stdout).toMatch(/^0\n/);
    expect(r.stdout).toMatch(/cannot access '\/run\/lab'/);
  });

  it("sees its own processes only: no host process's /proc/PID/root to read the host through", async () => {
    const r = await onNode(
      labA,
      a,
      'worker1',
      `ps -e -o comm= | sort | tr '\\n' ' '; echo; for p in /proc/[0-9]*; do cat "$p/root${keyOf(stateB, b)}" 2>/dev/null; done; test -e /proc/${process.pid} && echo host-pid-visible; true`,
    );
    const [procs, ...rest] = r.stdout.split('\n');
    expect(procs).toMatch(/\bbird\b/);
    expect(procs).toMatch(/\bsshd\b/);
    expect(procs).not.toMatch(/\b(node|vitest|systemd)\b/);
    expect(rest.join('\n')).not.toMatch(/PRIVATE KEY|host-pid-visible/);
  });

  it('cannot write the host: the checkout and /usr are read-only', async () => {
    const r = await onNode(labB, b, 'client', `touch ${PROJECT_DIR}/sandbox-escape /usr/sandbox-escape 2>&1`);
    expect(r.stdout).toMatch(
      /sandbox-escape': Read-only file system[\s\S]*sandbox-escape': Read-only file system/,
    );
    expect(existsSync(join(PROJECT_DIR, 'sandbox-escape'))).toBe(false);
  });

  it("keeps /tmp, /home and /var the node's own: not the host's, not another node's", async () => {
    const mark = `sandbox-${process.pid}`;
    const w = await onNode(
      labB,
      b,
      'router',
      `echo x > /tmp/${mark} && echo y > /home/${mark} && echo z > /var/${mark} && cat /tmp/${mark} /home/${mark} /var/${mark}`,
    );
    expect(w.stdout, w.all).toMatch(/^x\ny\nz\s*$/);
    for (const dir of ['/tmp', '/home', '/var'])
      expect(existsSync(join(dir, mark)), `${dir} leaked to the host`).toBe(false);
    const other = await onNode(labB, b, 'client', `cat /tmp/${mark} /home/${mark} /var/${mark} 2>&1`);
    expect(other.stdout).not.toMatch(/^[xyz]$/m);
  });

  it("lets root write under /etc as on a machine of its own, in the host's folders too; the host's files and closed folders stay the host's", async () => {
    const mark = `60-sandbox-${process.pid}.conf`;
    // what a VM's provisioning steps do; the folders exist on the host only
    const w = await onNode(
      labB,
      b,
      'router',
      `echo x > /etc/sysctl.d/${mark} && install -d -m 0755 /etc/apt/keyrings && echo y > /etc/default/${mark} && sed -i '/sandbox-no-such-line/d' /etc/fstab && cat /etc/sysctl.d/${mark} /etc/default/${mark}`,
    );
    expect(w.stdout, w.all).toMatch(/^x\ny\s*$/);
    expect(
      existsSync(`/etc/sysctl.d/${mark}`) || existsSync(`/etc/default/${mark}`),
      'written to the host',
    ).toBe(false);
    const other = await onNode(labB, b, 'client', `cat /etc/sysctl.d/${mark} 2>&1`);
    expect(other.stdout).not.toMatch(/^x$/m);
    // a host file stays read-only; a folder of the host's root kept from others (/etc/ssl/private 0710,
    // /etc/libvirt/secrets 0700) stays closed (a daemon's, as /etc/bird, is the node's daemon's)
    const closed: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, e.name);
        if (!e.isDirectory()) continue;
        const st = statSync(path);
        if (!(st.mode & 0o001) && st.uid === 0) closed.push(path);
        else walk(path);
      }
    };
    walk('/etc');
    // the host's secrets in the folders the node now owns stay unreadable (its ed25519 key is the
    // node's, and its ECDSA key lab_host_ecdsa_key beside the host's)
    const secrets = [
      '/etc/gshadow',
      '/etc/gshadow-',
      '/etc/shadow-',
      '/etc/ssh/ssh_host_rsa_key',
      '/etc/ssh/ssh_host_ecdsa_key',
    ].filter(existsSync);
    expect(secrets.length, 'no host secret to try').toBeGreaterThan(0);
    const r = await hostile(
      `echo x >> /etc/passwd 2>/dev/null && echo wrote-passwd; for d in ${closed.join(' ')}; do ls "$d" >/dev/null 2>&1 && echo "listed $d"; done; for f in ${secrets.join(' ')}; do cat "$f" >/dev/null 2>&1 && echo "read $f"; done; echo done`,
    );
    expect(r.stdout.trim(), r.all).toBe('done');
  });

  // --- a hostile attendee, root on b's router: nothing leaves the node ---
  const hostile = (script: string) => onNode(labB, b, 'router', script);
  const cgroupOf = (controller: string, node: string) =>
    `/sys/fs/cgroup/${controller}/lab/lab.bgp-metallb.${b}/lab.bgp-metallb.${b}.${node}`;

  it("is root of its own user namespace only: mapped to an unprivileged host range, without the machine's capabilities", async () => {
    const r = await hostile('cat /proc/self/uid_map; grep CapBnd /proc/self/status');
    const [inside, outside] = r.stdout.trim().split(/\s+/).map(Number);
    expect(inside, r.all).toBe(0);
    expect(outside, 'root on a node is root of the host').toBeGreaterThanOrEqual(100000);
    const bounding = BigInt(`0x${/CapBnd:\s+([0-9a-f]+)/.exec(r.stdout)?.[1] ?? 'ffffffffff'}`);
    // CAP_SYS_MODULE 16, CAP_SYS_RAWIO 17, CAP_SYS_BOOT 22, CAP_SYS_TIME 25, CAP_SYSLOG 34
    for (const cap of [16n, 17n, 22n, 25n, 34n]) expect((bounding >> cap) & 1n, `capability ${cap}`).toBe(0n);
  });

  it('cannot write the kernel settings of the host: /proc/sys outside its own net.*, /sys', async () => {
    const before = readFileSync('/proc/sys/vm/swappiness', 'utf8').trim();
    // each file is written its own value: where the write gets through (the old sandbox), nothing changes
    const r = await hostile(
      `for f in /proc/sys/vm/swappiness /proc/sys/kernel/core_pattern /proc/sys/kernel/hostname /sys/kernel/mm/ksm/run /sys/class/net/lo/mtu; do v=$(cat $f) && echo "$v" > $f 2>/dev/null && echo "wrote $f"; done; sysctl -qw net.ipv4.ip_forward=1 && echo own-net-ok`,
    );
    expect(r.stdout).not.toMatch(/wrote/);
    expect(r.stdout, 'the node lost its own net.* settings').toMatch(/own-net-ok/);
    expect(readFileSync('/proc/sys/vm/swappiness', 'utf8').trim()).toBe(before);
  });

  it('cannot mount, unmount or remount its way to the host: the mounts it was given are locked', async () => {
    const mark = `sandbox-${process.pid}`;
    const r = await hostile(
      [
        `echo mine > /root/${mark}`,
        // unmounting the node's /root would show the host's /root (and what lies under it)
        `umount -l /root 2>/dev/null && echo unmounted-root`,
        `cat /root/${mark}`,
        `umount -l /etc 2>/dev/null && echo unmounted-etc`,
        'mount -o remount,rw / 2>/dev/null && echo remounted-root',
        'mount -o remount,bind,rw /usr 2>/dev/null && echo remounted-usr',
        // a bind of a part of the host is read-only as its source, for good
        'mkdir -p /tmp/m && mount --bind /usr /tmp/m 2>/dev/null && mount -o remount,bind,rw /tmp/m 2>/dev/null && echo rebound-rw',
        'touch /usr/sandbox-escape /tmp/m/sandbox-escape 2>/dev/null && echo wrote-usr',
        'mount --bind / /tmp/m 2>/dev/null && ls /tmp/m/root 2>/dev/null | head -1 && echo bound-root',
        'umount /proc/keys 2>/dev/null && echo unmasked; umount -l /proc/sys 2>/dev/null && echo unmounted-proc-sys',
        `cat ${keyOf(stateA, a)} ${keyOf(stateB, b)} 2>/dev/null`,
      ].join('; '),
    );
    const escaped = existsSync('/usr/sandbox-escape');
    rmSync('/usr/sandbox-escape', { force: true }); // written through an escape: not left on the host
    expect(r.stdout).toMatch(/^mine$/m);
    expect(r.stdout).not.toMatch(/unmounted|remounted|rebound|wrote-usr|bound-root|unmasked|PRIVATE KEY/);
    expect(escaped).toBe(false);
  });

  it("reads neither the host's secrets nor its kernel log, and has its own /etc/shadow", async () => {
    // the host's entries carry the day of their last change; the node's own have none
    const hostEntries = readFileSync('/etc/shadow', 'utf8')
      .split('\n')
      .filter((l) => /^[^:]+:[^:]*:\d+:/.test(l));
    const r = await hostile(
      'cat /etc/shadow; dmesg >/dev/null 2>&1 && echo read-dmesg; cat /proc/kmsg 2>/dev/null & sleep 0.5; kill $! 2>/dev/null; head -c 64 /proc/kcore 2>/dev/null | wc -c; cat /proc/keys; cat /etc/ssh/ssh_host_ecdsa_key 2>/dev/null | head -1',
    );
    expect(r.stdout).toMatch(/^root:\*:/m);
    for (const entry of hostEntries) expect(r.stdout).not.toContain(entry);
    expect(r.stdout).not.toMatch(/read-dmesg|PRIVATE KEY/);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .filter((l) => /^\d+$/.test(l)),
    ).toEqual(['0']);
  });

  it("reads nothing of the environment lab up ran in, in any of the node's processes", async () => {
    // lab up ran with LAB_STATE_DIR (and whatever tokens its user's shell held): the node's init,
    // start script and daemons (bird here) start with a container's environment, not that one, and
    // in /, not in the folder lab up ran in (whose path reached their OLDPWD)
    const r = await hostile(
      `for p in /proc/[0-9]*; do tr "\\0" "\\n" < $p/environ 2>/dev/null; done | grep -c "^LAB_STATE_DIR=\\|^HOSTNAME=\\|^PATH=.*/root/\\|=${process.cwd()}$"; pgrep -c bird`,
    );
    expect(r.stdout.trim().split('\n'), r.all).toEqual(['0', '1']);
  });

  it('runs every process of the node under a seccomp filter: no unfiltered process to shed it through', async () => {
    // a login shell, the node's init, a daemon (bird), sshd, and every other process of the node
    const r = await hostile(
      `for p in $$ 1 $(pgrep -o bird) $(pgrep -o sshd); do grep '^Seccomp:' /proc/$p/status; done; grep -H '^Seccomp:' /proc/[0-9]*/status 2>/dev/null | grep -v '2$'; echo done`,
    );
    expect(r.stdout.trim().split('\n'), r.all).toEqual([...Array(4).fill('Seccomp:\t2'), 'done']);
  });

  it("nightly's triage reaches a node whose SSH failed as the node's root, not the host's: the node's files it runs (ld.so.preload) are its root's", async () => {
    const record = readInstance(join(stateA, 'bgp-metallb', a));
    expect(record, 'the instance record').toBeDefined();
    const shell = holderShell(record!, 'worker1');
    expect(shell, "worker1's holder").toBeDefined();
    const r = await shell!.exec(
      "cat /proc/self/uid_map; grep '^Seccomp:' /proc/self/status; cat /proc/sys/vm/swappiness > /proc/sys/vm/swappiness && echo wrote-host-sysctl",
    );
    const [map, seccomp, ...rest] = r.stdout.trim().split('\n');
    // the node's user namespace maps its root to an unprivileged host range, never host uid 0
    expect(map.trim().split(/\s+/).slice(0, 2), r.stdout + r.stderr).toEqual([
      '0',
      expect.not.stringMatching(/^0$/),
    ]);
    expect(seccomp).toBe('Seccomp:\t2');
    expect(rest).toEqual([]);
  });

  it.skipIf(process.arch !== 'x64')(
    'refuses the keyrings, a nested user namespace, odd personalities and 32-bit system calls with EPERM; its own namespaces stay its own',
    async () => {
      // x86_64 numbers; each line says the errno of its call, or ok
      const probe = [
        'import ctypes, errno, mmap',
        'libc = ctypes.CDLL(None, use_errno=True)',
        'def call(nr, *args):',
        '    r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) if isinstance(a, int) else a for a in args])',
        "    return errno.errorcode[ctypes.get_errno()] if r == -1 else 'ok'",
        "print('keyctl', call(250, 0, -3, 0))", // KEYCTL_GET_KEYRING_ID of the session keyring
        "print('add_key', call(248, b'user', b'x', b'y', 1, -2))", // into the process keyring
        "print('personality', call(135, 0x400000))", // READ_IMPLIES_EXEC
        "print('x32', call(0x40000000 + 39))", // getpid through the x32 ABI
        'm = mmap.mmap(-1, 4096, prot=7)',
        "m.write(b'\\xb8\\x14\\x00\\x00\\x00\\xcd\\x80\\xc3')", // mov eax, 20 (i386 getpid); int 0x80; ret
        'r = ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(m)))()',
        "print('i386', errno.errorcode[-r] if r < 0 else 'ok')",
      ].join('\n');
      const ns = `sc${process.pid}`;
      const r = await hostile(
        `/usr/bin/python3 -c ${shellQuote(probe)}; unshare -U true 2>&1; ip netns add ${ns} && ip netns exec ${ns} ip link set lo up && ip netns exec ${ns} ping -c1 -W1 127.0.0.1 >/dev/null && echo own-netns-ok; ip netns del ${ns}; unshare --pid --fork true && echo own-pidns-ok`,
      );
      expect(r.stdout.trim().split('\n'), r.all).toEqual([
        'keyctl EPERM',
        'add_key EPERM',
        'personality EPERM',
        'x32 EPERM',
        'i386 EPERM',
        'unshare: unshare failed: Operation not permitted',
        'own-netns-ok',
        'own-pidns-ok',
      ]);
    },
  );

  it('opens no connection to the host: its listeners on every address stay out of reach, SSH from the host still works', async () => {
    // the host listens on all addresses (as its sshd or lab serve --listen 0.0.0.0 would), TCP and UDP
    const tcp = createServer((s) => s.end('host-answered\n')).listen(0, '::');
    const udp = createSocket('udp6');
    let datagrams = 0;
    udp.on('message', () => datagrams++);
    await Promise.all([once(tcp, 'listening'), new Promise<void>((r) => udp.bind(0, '::', r))]);
    const { managementPrefix } = JSON.parse(
      readFileSync(join(stateB, 'bgp-metallb', b, 'instance.json'), 'utf8'),
    );
    const host = managementAddresses(managementPrefix, 0).host;
    const [tcpPort, udpPort] = [(tcp.address() as AddressInfo).port, udp.address().port];
    try {
      // at that address the listener answers whoever may reach it (here the host itself): the test can fail
      const own = connect(tcpPort, host);
      const [answer] = await once(own.setEncoding('utf8'), 'data');
      expect(answer).toBe('host-answered\n');
      own.destroy();
      const r = await hostile(
        `timeout 3 bash -c 'exec 3<>/dev/tcp/${host}/${tcpPort} && head -1 <&3'; echo tcp=$?; echo x > /dev/udp/${host}/${udpPort}; ping -c1 -W1 ${host} >/dev/null; echo ping=$?`,
      );
      expect(r.stdout).not.toContain('host-answered');
      expect(r.stdout, r.all).toMatch(/tcp=124/);
      expect(r.stdout, r.all).toMatch(/ping=1/);
      await new Promise((res) => setTimeout(res, 300));
      expect(datagrams, 'a datagram from the node reached the host').toBe(0);
    } finally {
      tcp.close();
      udp.close();
    }
  });

  it('cannot signal a host process, nor read the host disk', async () => {
    const sleeper = spawn('sleep', ['300'], { stdio: 'ignore' });
    // the host's disks (vda here): root on the host reads their first sector
    const disks = readdirSync('/sys/block')
      .filter((d) => !/^(loop|ram|zram|nbd)/.test(d))
      .map((d) => `/dev/${d}`);
    expect(disks.length, 'no disk to try').toBeGreaterThan(0);
    try {
      const r = await hostile(
        `kill -9 ${sleeper.pid} 2>/dev/null && echo killed; ${disks.map((d) => `head -c 512 ${d} 2>/dev/null | wc -c;`).join(' ')} mknod /tmp/disk b 254 0 2>/dev/null && echo made-node; head -c 512 /tmp/disk 2>/dev/null | wc -c`,
      );
      expect(r.stdout).not.toMatch(/killed|made-node/);
      for (const n of r.stdout
        .trim()
        .split('\n')
        .filter((l) => /^\d+$/.test(l)))
        expect(n).toBe('0');
      expect(sleeper.exitCode, 'the host process was signalled').toBeNull();
      expect(sleeper.killed).toBe(false);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it("a fork bomb stops at the node's pids limit; the other attendee's lab is unharmed", async () => {
    // in a PID namespace of its own, so that the end of timeout's child ends every copy of it
    const r = await hostile(
      "timeout 4 unshare --pid --fork --kill-child sh -c 'f() { f | f & }; f; sleep 10' >/dev/null 2>&1; echo done",
    );
    expect(r.stdout, r.all).toMatch(/done/);
    const events = readFileSync(`${cgroupOf('pids', 'router')}/pids.events`, 'utf8');
    expect(Number(/max (\d+)/.exec(events)?.[1]), 'the bomb never met the limit').toBeGreaterThan(0);
    expect(Number(readFileSync(`${cgroupOf('pids', 'router')}/pids.peak`, 'utf8'))).toBeLessThanOrEqual(1024);
    const other = await labA(['check', 'bgp-metallb', '-i', a]);
    expect(other.exitCode, other.all).toBe(0);
  }, 120_000);

  it("a disk filler meets a full disk in every writable folder, not the host's; the other lab is unharmed", async () => {
    const free = () => {
      const s = statfsSync(stateB);
      return s.bavail * s.bsize;
    };
    const before = free();
    const r = await hostile(
      'for d in /root /tmp /var/log /home /dev/shm /etc /var; do dd if=/dev/zero of=$d/filler bs=1M count=400 2>&1 | grep -c "No space left" ; rm -f $d/filler; done',
    );
    expect(r.stdout.trim().split('\n'), r.all).toEqual(['1', '1', '1', '1', '1', '1', '1']);
    expect(before - free(), 'the node wrote to the host disk').toBeLessThan(64 * 1024 * 1024);
    expect(readFileSync(`${cgroupOf('memory', 'router')}/memory.oom_control`, 'utf8')).toMatch(/oom_kill 0/);
    const own = await labB(['check', 'bgp-metallb', '-i', b]);
    expect(own.exitCode, own.all).toBe(0);
    const other = await labA(['check', 'bgp-metallb', '-i', a]);
    expect(other.exitCode, other.all).toBe(0);
  }, 120_000);

  it('its init waits on sshd, no process of its own; sshd killed, the init lives on, and down ends it', async () => {
    const r = await onNode(labB, b, 'client', 'ps -e -o pid=,comm=');
    const procs = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/));
    expect(procs.find(([pid]) => pid === '1')?.[1], r.all).toBe('sh');
    expect(
      procs.map(([, comm]) => comm),
      r.all,
    ).not.toContain('sleep');
    const journal = readFileSync(join(stateB, 'bgp-metallb', b, 'journal.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { update?: { id: string; pid?: number } });
    const pidOf = (id: string) => journal.findLast((e) => e.update?.id === id && e.update.pid)?.update?.pid;
    const [holder, sshd] = [pidOf('process:client:holder'), pidOf('process:client:sshd')];
    expect(holder && sshd, 'no holder or sshd in the journal').toBeTruthy();
    process.kill(sshd!, 'SIGKILL');
    // the init's wait returns: it sleeps on in a process of its own, the node's namespaces kept
    const children = () =>
      readFileSync(`/proc/${holder}/task/${holder}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map((p) => readFileSync(`/proc/${p}/comm`, 'utf8').trim());
    for (let i = 0; i < 50 && !children().includes('sleep'); i++)
      await new Promise((res) => setTimeout(res, 100));
    expect(children()).toContain('sleep');
    expect(children()).not.toContain('sshd');
    expect(readFileSync(`/proc/${holder}/comm`, 'utf8').trim()).toBe('sh');
  });

  it("leaves nothing of the sandbox at down: user namespaces, id ranges, cgroups, the nodes' tmpfs", async () => {
    const netns = `lab.bgp-metallb.${b}.router`;
    const mounts = () => readFileSync('/proc/self/mountinfo', 'utf8');
    expect(existsSync(`/run/lab/userns/${netns}`), 'no user namespace to look for').toBe(true);
    expect(mounts()).toContain(`/bgp-metallb/${b}/nodes`);
    const down = await labB(['down', 'bgp-metallb', '-i', b]);
    expect(down.exitCode, down.all).toBe(0);
    expect(existsSync(`/run/lab/userns/${netns}`)).toBe(false);
    expect(mounts()).not.toContain(`/bgp-metallb/${b}/`);
    for (const controller of ['memory', 'pids', 'cpu'])
      expect(existsSync(`/sys/fs/cgroup/${controller}/lab/lab.bgp-metallb.${b}`), controller).toBe(false);
    const held = readdirSync('/run/lab/uids').flatMap((s) => {
      try {
        return [readlinkSync(join('/run/lab/uids', s))];
      } catch {
        return []; // given back by another run meanwhile
      }
    });
    expect(held.filter((n) => n.startsWith(`lab.bgp-metallb.${b}.`))).toEqual([]);
  });
});
