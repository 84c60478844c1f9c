#!/usr/bin/env node
// The program behind the emulated Cilium on a node, run inside the node only:
//   main.js agent                 the cilium-agent daemon
//   main.js k8s ...               the cluster's API as far as the demo needs (pods, services, annotations)
//   main.js cilium-dbg ...        what the local agent sees (nodes, services), from its health port
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { Agent } from './agent.js';
import { AGENT_CONFIG, type AgentConfig, readConfig } from './config.js';
import { Kvstore } from './kvstore.js';
import { K8S_SERVICES, type K8sService, k8sServiceKey } from './layout.js';
import { addPod, deletePod, listPods, parseLabels, UsageError } from './pods.js';
import { ALLOWED_VALUES, ANNOTATIONS } from './rules.js';

const USAGE = `usage:
  agent                                    run the cilium-agent
  k8s apply -f FILE                        create or replace the Services of a manifest
  k8s get services                         the cluster's services and their annotations
  k8s annotate service NAME KEY=VALUE|KEY- ... [--overwrite] [--namespace NS]
  k8s pod add NAME [--label K=V]... [--serve TEXT] [--namespace NS]
  k8s pod del NAME
  k8s pod list
  cilium-dbg node list | service list | status`;

/** Flags that take no value. */
const SWITCHES = new Set(['overwrite']);

/** Splits --flag value pairs (repeatable) and switches from positional arguments. */
function flags(args: string[]): { pos: string[]; opt: Record<string, string[]> } {
  const pos: string[] = [];
  const opt: Record<string, string[]> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('-') && a !== '-') {
      const key = a.replace(/^-+/, '');
      if (SWITCHES.has(key)) {
        opt[key] = ['true'];
        continue;
      }
      if (i + 1 >= args.length) throw new UsageError(`${a} needs a value`);
      opt[key] = [...(opt[key] ?? []), args[++i]];
    } else pos.push(a);
  }
  return { pos, opt };
}

async function servicesOf(file: string): Promise<K8sService[]> {
  // loaded only here: the agent itself never parses YAML
  const { parseAllDocuments } = await import('yaml');
  const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS());
  return docs
    .flatMap((d) => (d?.kind === 'List' ? d.items : [d]))
    .filter((d) => d?.kind === 'Service')
    .map((d) => ({
      metadata: {
        name: d.metadata.name,
        namespace: d.metadata.namespace ?? 'default',
        annotations: d.metadata.annotations ?? {},
      },
      spec: { clusterIP: d.spec.clusterIP, selector: d.spec.selector ?? {}, ports: d.spec.ports ?? [] },
    }));
}

function fromAgent(cfg: AgentConfig, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: cfg.healthPort, path, timeout: 3000 }, (res) => {
      let data = '';
      res.on('data', (d) => {
        data += d;
      });
      res.on('end', () => resolve(data));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e) => reject(new Error(`the agent on this node does not answer: ${e.message}`)));
    req.end();
  });
}

async function k8s(cfg: AgentConfig, args: string[]): Promise<void> {
  const store = new Kvstore(cfg.kvstore);
  const { pos, opt } = flags(args);
  const ns = opt.namespace?.[0] ?? 'default';
  const [verb, what, name, ...rest] = pos;
  if (verb === 'apply' && opt.f?.length) {
    await store.ready(30_000);
    for (const f of opt.f)
      for (const svc of await servicesOf(f)) {
        await store.put(k8sServiceKey(svc.metadata.namespace, svc.metadata.name), JSON.stringify(svc));
        console.log(`service/${svc.metadata.name} configured`);
      }
    return;
  }
  if (verb === 'get' && (what === 'services' || what === 'svc')) {
    const { kvs } = await store.range(K8S_SERVICES);
    console.log('NAMESPACE  NAME  CLUSTER-IP  PORT  ANNOTATIONS');
    for (const kv of kvs) {
      const s = JSON.parse(kv.value) as K8sService;
      const ann = Object.entries(s.metadata.annotations ?? {}).map(([k, v]) => `${k}=${v}`);
      console.log(
        `${s.metadata.namespace}  ${s.metadata.name}  ${s.spec.clusterIP}  ${s.spec.ports[0]?.port}  ${ann.join(',')}`,
      );
    }
    return;
  }
  if (verb === 'annotate' && (what === 'service' || what === 'svc') && name && rest.length) {
    const key = k8sServiceKey(ns, name);
    const value = await store.get(key);
    if (!value) throw new UsageError(`services "${name}" not found in namespace ${ns}`);
    const svc = JSON.parse(value) as K8sService;
    const annotations = { ...(svc.metadata.annotations ?? {}) };
    for (const a of rest) {
      if (a.endsWith('-') && !a.includes('=')) delete annotations[a.slice(0, -1)];
      else {
        const eq = a.indexOf('=');
        if (eq < 1) throw new UsageError(`'${a}': write KEY=VALUE, or KEY- to remove it`);
        const [k, v] = [a.slice(0, eq), a.slice(eq + 1)];
        // as kubectl: changing an annotation that is there takes --overwrite
        if (annotations[k] !== undefined && annotations[k] !== v && !opt.overwrite)
          throw new UsageError(`'${k}' already has a value (${annotations[k]}), and --overwrite is false`);
        const known = Object.entries(ANNOTATIONS).find(([, full]) => full === k);
        if (known && !ALLOWED_VALUES[known[0] as keyof typeof ANNOTATIONS].includes(v.toLowerCase()))
          console.error(
            `warning: Cilium ignores ${k}=${v} (allowed: ${ALLOWED_VALUES[known[0] as keyof typeof ANNOTATIONS].join(', ')})`,
          );
        annotations[k] = v;
      }
    }
    svc.metadata.annotations = annotations;
    await store.put(key, JSON.stringify(svc));
    console.log(`service/${name} annotated`);
    return;
  }
  if (verb === 'pod' && what === 'add' && name) {
    const pod = await addPod(cfg, store, {
      name,
      namespace: ns,
      labels: parseLabels(opt.label ?? []),
      serve: opt.serve?.[0],
    });
    console.log(`${pod.name} ${pod.ip}`);
    return;
  }
  if (verb === 'pod' && what === 'del' && name) return deletePod(cfg, store, name);
  if (verb === 'pod' && what === 'list') {
    for (const p of listPods()) console.log(`${p.namespace}/${p.name} ${p.ip} ${p.veth}`);
    return;
  }
  throw new UsageError(USAGE);
}

async function dbg(cfg: AgentConfig, args: string[]): Promise<void> {
  const [what, verb] = args;
  if (what === 'node' && verb === 'list')
    return void process.stdout.write(await fromAgent(cfg, '/nodes/detail'));
  if (what === 'service' && verb === 'list')
    return void process.stdout.write(await fromAgent(cfg, '/services'));
  if (what === 'status') return void process.stdout.write(await fromAgent(cfg, '/nodes'));
  throw new UsageError(USAGE);
}

async function main(argv: string[]): Promise<void> {
  const configured = argv[0] === '--config';
  const cfg = readConfig(configured ? argv[1] : AGENT_CONFIG);
  const args = configured ? argv.slice(2) : argv;
  const [command, ...rest] = args;
  if (command === 'agent') {
    const agent = new Agent(cfg);
    const leave = () => {
      void agent.stop().finally(() => process.exit(0));
    };
    process.on('SIGTERM', leave);
    process.on('SIGINT', leave);
    await agent.start();
    return;
  }
  if (command === 'k8s') return k8s(cfg, rest);
  if (command === 'cilium-dbg') return dbg(cfg, rest);
  throw new UsageError(USAGE);
}

main(process.argv.slice(2)).catch((e) => {
  console.error(e instanceof UsageError ? e.message : `error: ${(e as Error).message}`);
  process.exit(e instanceof UsageError ? 2 : 1);
});
