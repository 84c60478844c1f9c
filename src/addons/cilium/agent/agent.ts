// The emulated cilium-agent: publishes its node (on a lease) and its pods, follows every cluster's
// kvstore through watch streams, programs the tunnel for each remote node, balances services by the
// global-service rules with nftables, and on the control plane exports the cluster's global services
// as the clustermesh-apiserver does. Every change re-derives the whole desired state (reconcile).
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AgentConfig } from './config.js';
import { readClustermesh } from './config.js';
import { nodeCommands, removeNodeCommands, runBatch, setupDevice } from './datapath.js';
import { Kvstore } from './kvstore.js';
import {
  type ClusterService,
  decodeNode,
  encodeIpcache,
  encodeNode,
  IPCACHE,
  ipKey,
  K8S_PODS,
  K8S_SERVICES,
  type K8sPod,
  type K8sService,
  type MeshNode,
  NODES,
  nodeKey,
  SERVICES,
  selects,
  serviceKey,
} from './layout.js';
import { type Frontend, renderRuleset } from './nft.js';
import { type Backend, type Choice, chooseBackends, policyOf } from './rules.js';

const log = (msg: string) => console.log(`${new Date().toISOString()} ${msg}`);

function parse<T>(value: string): T | undefined {
  try {
    return JSON.parse(value) as T;
  } catch {
    return undefined;
  }
}

export class Agent {
  private readonly local: Kvstore;
  private readonly remotes = new Map<string, Kvstore>();
  /** What each followed prefix holds, by store: `${store} ${prefix}` -> key -> value. */
  private readonly views = new Map<string, Map<string, string>>();
  private readonly programmed = new Map<string, MeshNode>();
  private readonly published = new Map<string, string>();
  /** Services this node exports (control plane only), key -> value as last written. */
  private readonly exported = new Map<string, string>();
  private lease = '';
  private ruleset = '';
  private choices: { service: string; frontend: string; choice: Choice }[] = [];
  private pending = false;
  private running: Promise<void> | undefined;
  private readonly closers: { close(): void }[] = [];

  constructor(private readonly cfg: AgentConfig) {
    this.local = new Kvstore(cfg.kvstore);
    for (const [cluster, endpoint] of readClustermesh(cfg.clustermeshDir))
      if (cluster !== cfg.cluster) this.remotes.set(cluster, new Kvstore(endpoint));
  }

  get self(): MeshNode {
    const c = this.cfg;
    return {
      name: c.node,
      cluster: c.cluster,
      clusterId: c.clusterId,
      nodeIP: c.nodeIP,
      routerIP: c.routerIP,
      podCIDR: c.podCIDR,
    };
  }

  async start(): Promise<void> {
    setupDevice(this.cfg);
    this.serveHealth();
    await this.local.ready(60_000);
    await this.publishNode();
    if (this.cfg.exportServices)
      for (const kv of (await this.local.range(`${SERVICES}${this.cfg.cluster}/`)).kvs)
        this.exported.set(kv.key, kv.value); // a restarted apiserver removes what is no longer offered
    const follow = (store: Kvstore, name: string, prefix: string) => {
      const id = `${name} ${prefix}`;
      this.views.set(id, new Map());
      this.closers.push(
        store.follow(prefix, {
          sync: (kvs) => {
            this.views.set(id, new Map(kvs.map((kv) => [kv.key, kv.value])));
            this.schedule();
          },
          event: (e) => {
            const view = this.views.get(id)!;
            if (e.type === 'put') view.set(e.kv.key, e.kv.value);
            else view.delete(e.key);
            this.schedule();
          },
          error: (e) => log(`kvstore ${store.endpoint} (${prefix}): ${e.message}; following again`),
        }),
      );
    };
    const c = this.cfg;
    follow(this.local, c.cluster, `${NODES}${c.cluster}/`);
    follow(this.local, c.cluster, K8S_PODS);
    follow(this.local, c.cluster, K8S_SERVICES);
    for (const [cluster, store] of this.remotes) {
      follow(store, cluster, `${NODES}${cluster}/`);
      follow(store, cluster, `${SERVICES}${cluster}/`);
    }
    log(`${c.node} of ${c.cluster}: following ${1 + this.remotes.size} kvstores`);
  }

  /** The node key lives on this agent's lease: a crashed agent's node disappears when the lease expires. */
  private async publishNode(): Promise<void> {
    this.lease = await this.local.grant(this.cfg.leaseTTL);
    this.published.clear();
    await this.local.put(nodeKey(this.cfg.cluster, this.cfg.node), encodeNode(this.self), this.lease);
    const timer = setInterval(
      () => {
        this.local
          .keepAlive(this.lease)
          .then(async (alive) => {
            if (alive) return;
            log('lease expired: publishing the node again');
            clearInterval(timer);
            await this.publishNode();
            this.schedule();
          })
          .catch((e) => log(`lease keepalive: ${(e as Error).message}`));
      },
      (this.cfg.leaseTTL * 1000) / 3,
    );
    timer.unref();
  }

  private values<T>(store: string, prefix: string): T[] {
    return [...(this.views.get(`${store} ${prefix}`)?.values() ?? [])].flatMap((v) => parse<T>(v) ?? []);
  }

  /** Every node of every cluster this agent knows, itself included. */
  nodes(): MeshNode[] {
    const clusters = [this.cfg.cluster, ...this.remotes.keys()];
    return clusters.flatMap((cl) =>
      [...(this.views.get(`${cl} ${NODES}${cl}/`)?.values() ?? [])].flatMap((v) => decodeNode(v) ?? []),
    );
  }

  private schedule(): void {
    this.pending = true;
    if (this.running) return;
    this.running = (async () => {
      while (this.pending) {
        this.pending = false;
        try {
          await this.reconcile();
        } catch (e) {
          log(`reconcile: ${(e as Error).message}`);
          await new Promise((r) => setTimeout(r, 200));
          this.pending = true;
        }
      }
      this.running = undefined;
    })();
  }

  private async reconcile(): Promise<void> {
    this.reconcileTunnel();
    const pods = this.values<K8sPod>(this.cfg.cluster, K8S_PODS);
    const services = this.values<K8sService>(this.cfg.cluster, K8S_SERVICES);
    await this.reconcileIpcache(pods);
    if (this.cfg.exportServices) await this.exportServices(services, pods);
    this.reconcileServices(services, pods);
  }

  /** Tunnel entries for every other node: added, changed, removed. */
  private reconcileTunnel(): void {
    const want = new Map(
      this.nodes()
        .filter((n) => !(n.cluster === this.cfg.cluster && n.name === this.cfg.node))
        .map((n) => [`${n.cluster}/${n.name}`, n]),
    );
    const ip: string[] = [];
    const bridge: string[] = [];
    const gone: string[] = [];
    for (const [key, old] of this.programmed) {
      const now = want.get(key);
      if (now && JSON.stringify(now) === JSON.stringify(old)) continue;
      const r = removeNodeCommands(old);
      runBatch('ip', r.ip, true);
      runBatch('bridge', r.bridge, true);
      this.programmed.delete(key);
      if (!now) gone.push(key);
    }
    const added: string[] = [];
    for (const [key, n] of want) {
      if (this.programmed.has(key)) continue;
      const c = nodeCommands(n);
      ip.push(...c.ip);
      bridge.push(...c.bridge);
      this.programmed.set(key, n);
      added.push(key);
    }
    runBatch('bridge', bridge);
    runBatch('ip', ip);
    if (added.length || gone.length)
      log(
        `tunnel: ${added.length ? `+${added.join(' +')}` : ''}${gone.length ? ` -${gone.join(' -')}` : ''}`,
      );
  }

  /** This node's pods in the ipcache, on the agent's lease. */
  private async reconcileIpcache(pods: K8sPod[]): Promise<void> {
    const mine = new Map(
      pods
        .filter((p) => p.spec.nodeName === this.cfg.node && p.status.podIP)
        .map((p) => [ipKey(p.status.podIP), encodeIpcache(p, this.cfg.clusterId)]),
    );
    for (const [key, value] of mine)
      if (this.published.get(key) !== value) {
        await this.local.put(key, value, this.lease);
        this.published.set(key, value);
      }
    for (const key of [...this.published.keys()])
      if (key.startsWith(IPCACHE) && !mine.has(key)) {
        await this.local.delete(key);
        this.published.delete(key);
      }
  }

  private localBackends(svc: K8sService, pods: K8sPod[]): Backend[] {
    const port = svc.spec.ports[0];
    return pods
      .filter((p) => p.metadata.namespace === svc.metadata.namespace && p.status.podIP)
      .filter((p) => selects(svc.spec.selector, p.metadata.labels))
      .map((p) => ({ ip: p.status.podIP, port: port.targetPort ?? port.port, cluster: this.cfg.cluster }))
      .sort((a, b) => a.ip.localeCompare(b.ip));
  }

  /** The clustermesh-apiserver's part: global and shared services are offered to the other clusters. */
  private async exportServices(services: K8sService[], pods: K8sPod[]): Promise<void> {
    const c = this.cfg;
    const want = new Map<string, string>();
    for (const svc of services) {
      const policy = policyOf(svc.metadata.annotations);
      if (!policy.shared) continue; // not global, or shared: "false": not offered
      const port = svc.spec.ports[0];
      const proto = (port.protocol ?? 'TCP').toUpperCase();
      const cs: ClusterService = {
        cluster: c.cluster,
        namespace: svc.metadata.namespace,
        name: svc.metadata.name,
        frontends: { [svc.spec.clusterIP]: { [String(port.port)]: { Protocol: proto, Port: port.port } } },
        backends: Object.fromEntries(
          this.localBackends(svc, pods).map((b) => [
            b.ip,
            { [String(b.port)]: { Protocol: proto, Port: b.port } },
          ]),
        ),
        labels: {},
        selector: svc.spec.selector,
        includeExternal: true,
        shared: true,
        clusterID: c.clusterId,
      };
      want.set(serviceKey(c.cluster, svc.metadata.namespace, svc.metadata.name), JSON.stringify(cs));
    }
    for (const [key, value] of want)
      if (this.exported.get(key) !== value) {
        await this.local.put(key, value);
        this.exported.set(key, value);
      }
    for (const key of [...this.exported.keys()])
      if (!want.has(key)) {
        await this.local.delete(key);
        this.exported.delete(key);
      }
  }

  private reconcileServices(services: K8sService[], pods: K8sPod[]): void {
    const remote = [...this.remotes.keys()].flatMap((cl) =>
      this.values<ClusterService>(cl, `${SERVICES}${cl}/`),
    );
    const frontends: Frontend[] = [];
    this.choices = [];
    for (const svc of services) {
      const { name, namespace } = svc.metadata;
      const port = svc.spec.ports[0];
      if (!svc.spec.clusterIP || !port) continue;
      const policy = policyOf(svc.metadata.annotations);
      const offered = remote
        .filter((r) => r.name === name && r.namespace === namespace && r.shared)
        .flatMap((r) =>
          Object.entries(r.backends).flatMap(([ip, ports]) =>
            Object.values(ports).map((p) => ({ ip, port: p.Port, cluster: r.cluster })),
          ),
        )
        .sort((a, b) => a.cluster.localeCompare(b.cluster) || a.ip.localeCompare(b.ip));
      const choice = chooseBackends(policy, this.localBackends(svc, pods), offered);
      const id = `${namespace}/${name}`;
      this.choices.push({ service: id, frontend: `${svc.spec.clusterIP}:${port.port}`, choice });
      frontends.push({
        name: id,
        address: svc.spec.clusterIP,
        port: port.port,
        protocol: (port.protocol ?? 'TCP').toLowerCase() === 'udp' ? 'udp' : 'tcp',
        backends: choice.backends,
      });
    }
    const ruleset = renderRuleset(frontends);
    if (ruleset === this.ruleset) return;
    execFileSync('nft', ['-f', '-'], { input: ruleset, stdio: ['pipe', 'ignore', 'pipe'] });
    this.ruleset = ruleset;
    for (const ch of this.choices)
      log(
        `service ${ch.service}: ${ch.choice.backends.map((b) => `${b.ip}(${b.cluster})`).join(' ') || 'no backends'}`,
      );
  }

  /** cilium-health's port: /hello for probes; /nodes and /services for cilium-dbg and checks. */
  private serveHealth(): void {
    const server = createServer((req, res) => {
      res.setHeader('content-type', 'text/plain');
      if (req.url === '/hello') return res.end('hello\n');
      if (req.url === '/nodes') {
        const nodes = this.nodes();
        const names = nodes.map((n) => `${n.cluster}/${n.name}`).sort();
        return res.end(
          `${this.cfg.cluster}/${this.cfg.node} sees ${nodes.length} nodes: ${names.join(' ')}\n`,
        );
      }
      if (req.url === '/nodes/detail') {
        return res.end(
          this.nodes()
            .map((n) => `${n.cluster}/${n.name} ${n.nodeIP} ${n.podCIDR} via ${n.routerIP}`)
            .sort()
            .join('\n')
            .concat('\n'),
        );
      }
      if (req.url === '/services') {
        return res.end(
          this.choices
            .map(
              (c) =>
                `${c.service} ${c.frontend} -> ${c.choice.backends.map((b) => `${b.ip}:${b.port} (${b.cluster})`).join(', ') || 'none'}  [${c.choice.why}]`,
            )
            .join('\n')
            .concat('\n'),
        );
      }
      res.statusCode = 404;
      res.end('try /hello, /nodes, /nodes/detail, /services\n');
    });
    server.on('error', (e) => log(`health endpoint: ${e.message}`));
    server.listen(this.cfg.healthPort);
  }

  /** Leaves the mesh: revoking the lease deletes the node key and this node's ipcache entries. */
  async stop(): Promise<void> {
    for (const c of this.closers) c.close();
    // briefly: at lab down the store may be going away too, and the lease expires on its own anyway
    if (this.lease) await this.local.revoke(this.lease, 500).catch(() => undefined);
  }
}
