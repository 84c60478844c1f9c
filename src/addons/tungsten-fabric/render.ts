// Tungsten Fabric's rendered files: the ConfigMaps (env, kube-manager-config), the BGP routers the
// control node is registered with, the control node's two faces (BGP: BIRD; XMPP and RIB: GoBGP) and
// the vRouter agent.
import type { Lab, Node, NodeBgp } from '../../core/lab.js';
import { header, renderTemplate } from '../../core/templates.js';
import { birdChannelFilter } from '../../daemons/bird.js';
import { gatewayRoutes } from '../../net/static-routes.js';
import { yamlDocuments } from '../../yaml-quote.js';
import { type TfCluster, tfClusters } from './derive.js';

/** Where a vRouter node finds the ConfigMaps its agent reads (the DaemonSet's envFrom). */
export const VROUTER_CONFIGMAPS = '/etc/contrail/tf-configmaps.yaml';
export const VROUTER_AGENT = '/etc/lab/bin/vrouter-agent';
/** The control node's XMPP side and RIB (GoBGP), and its BGP face (BIRD). */
export const CONTROL_NODE_CONF = '/etc/contrail/control-node/gobgpd.toml';
export const CONTROL_NODE_BGP_CONF = '/etc/contrail/control-node/bird.conf';
/** The port vRouter agents reach their control node on: XMPP's, served by GoBGP's gRPC API. */
export const XMPP_PORT = 5269;
/** Where the two faces share the RIB: iBGP on loopback, GoBGP passive on a port of its own. */
export const RIB_BIRD = '127.0.0.1';
export const RIB_GOBGP = '127.0.0.2';
export const RIB_PORT = 1179;
/** One VXLAN network identifier for the pod networks of every cluster: they are one routing domain. */
export const VNI = 1;

/** The control node address: the control plane's first interface. */
export function controlNodeAddress(c: TfCluster): string | undefined {
  return c.controlNode?.interfaces[0]?.address;
}

/** Both ConfigMaps of a cluster; the same text on the master (to apply) and on its vRouters (to read). */
export function renderConfigMaps(lab: Lab, c: TfCluster): string {
  const master = lab.nodes.find((n) => n.name === c.cluster.controlPlane);
  const apiServer = master?.interfaces[0]?.address ?? '';
  const configMap = (name: string, data: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'contrail' },
    data,
  });
  return yamlDocuments(
    [
      `Tungsten Fabric ${c.tf.version} ConfigMaps for cluster ${c.cluster.name} (AS ${c.as}).`,
      "kube-manager subnets must equal kubeadm's (see kubeadm-config.yaml); VROUTER_GATEWAY is the underlay's",
      `gateway, never the master's address. Rendered by lab from ${lab.name}.`,
    ],
    [
      configMap('env', {
        CONTROLLER_NODES: controlNodeAddress(c) ?? apiServer,
        VROUTER_GATEWAY: c.tf.vrouter_gateway,
        BGP_ASN: String(c.as),
        CLOUD_ORCHESTRATOR: 'kubernetes',
      }),
      configMap('kube-manager-config', {
        KUBERNETES_API_SERVER: apiServer,
        KUBERNETES_API_SECURE_PORT: '6443',
        K8S_TOKEN_FILE: '/tmp/serviceaccount/token',
        KUBERNETES_POD_SUBNETS: c.podSubnets ?? '',
        KUBERNETES_SERVICE_SUBNETS: c.serviceSubnets ?? '',
        KUBERNETES_IP_FABRIC_SUBNETS: c.fabricSubnets ?? '',
      }),
    ],
  );
}

/** The control node's BGP: the lab's bgp section, or just its AS when it has no peers. */
export function controlNodeBgp(node: Node, c: TfCluster): NodeBgp {
  const address = node.interfaces[0]?.address ?? '0.0.0.0';
  return (
    node.bgp ?? {
      as: c.as,
      routerId: address,
      localAddress: address,
      neighbors: [],
      source: 'lab',
      path: node.path,
    }
  );
}

function isControlNode(lab: Lab, name: string | undefined): boolean {
  return !!name && tfClusters(lab).some((c) => c.controlNode?.name === name);
}

/** The control node's XMPP side and RIB: GoBGP, passive towards the BGP face on loopback. */
export function renderControlNode(lab: Lab, node: Node, c: TfCluster): string {
  const bgp = controlNodeBgp(node, c);
  return renderTemplate('tungsten-fabric/control-node.toml.njk', {
    ...header(lab),
    node,
    cluster: c.cluster.name,
    as: bgp.as,
    xmpp: `${bgp.localAddress}:${XMPP_PORT}`,
    bird: RIB_BIRD,
    rib: `${RIB_GOBGP}:${RIB_PORT}`,
    // its own identifier: the BGP face holds the node's (an iBGP peer with the same one is refused)
    routerId: RIB_GOBGP,
    address: RIB_GOBGP,
    port: RIB_PORT,
    peer: RIB_BIRD,
  });
}

/** The control node's BGP face: BIRD, with the sessions the lab (TF's BGP router registration) names. */
export function renderControlNodeBgp(lab: Lab, node: Node, c: TfCluster): string {
  const bgp = controlNodeBgp(node, c);
  return renderTemplate('tungsten-fabric/control-node-bird.conf.njk', {
    ...header(lab),
    node,
    cluster: c.cluster.name,
    bgp,
    xmpp: `${bgp.localAddress}:${XMPP_PORT}`,
    bird: RIB_BIRD,
    rib: `${RIB_GOBGP}:${RIB_PORT}`,
    ribAddress: RIB_GOBGP,
    ribPort: RIB_PORT,
    sessions: bgp.neighbors.map((n) => ({
      protocol: n.protocol,
      comment: isControlNode(lab, n.node)
        ? `${n.node}: control node of another cluster, registered as a BGP router`
        : `${n.node ?? n.address}: a router (TF's SDN gateway)`,
      address: n.address,
      as: n.as,
      multihop: !!n.multihop,
      import: birdChannelFilter(bgp.import ?? 'all', 'ipv4', undefined, { ownAs: bgp.as }),
      // BGP carries what BGP learned (the vRouters' routes, the peers'), never the node's own routes
      export: birdChannelFilter(bgp.export ?? 'all', 'ipv4', undefined, {
        ownAs: bgp.as,
        guard: 'source = RTS_BGP',
      }),
    })),
    statics: staticRoutes(node),
  });
}

/** The node's IPv4 static routes, one entry per prefix with every gateway. */
function staticRoutes(node: Node) {
  const byPrefix = new Map<string, string[]>();
  // discard routes stay the kernel's: they resolve no next hop
  for (const r of gatewayRoutes(node.routes).filter((r) => !r.via.includes(':'))) {
    const to = r.to === 'default' ? '0.0.0.0/0' : r.to;
    byPrefix.set(to, [...new Set([...(byPrefix.get(to) ?? []), r.via])]);
  }
  return [...byPrefix].map(([prefix, vias]) => ({ prefix, vias }));
}

/** The BGP routers a cluster's configuration registers: its control node, and each of its peers. */
export function renderBgpRouters(lab: Lab, c: TfCluster): string {
  const node = c.controlNode;
  const bgp = node && controlNodeBgp(node, c);
  const routers = bgp
    ? [
        {
          name: node.name,
          type: 'control-node',
          vendor: 'contrail',
          address: bgp.localAddress,
          as: bgp.as,
          peers: bgp.neighbors.map((n) => n.node ?? n.address),
        },
        ...bgp.neighbors.map((n) => ({
          name: n.node ?? n.address,
          type: isControlNode(lab, n.node) ? 'external-control-node' : 'router',
          vendor: isControlNode(lab, n.node) ? 'contrail' : 'mx',
          address: n.address,
          as: n.as,
          peers: [] as string[],
        })),
      ]
    : [];
  const fqName = (name: string) => ['default-domain', 'default-project', 'ip-fabric', '__default__', name];
  return yamlDocuments(
    [
      `Tungsten Fabric BGP routers of cluster ${c.cluster.name}: what its control node is registered with, as the`,
      'demo did by hand ("register each TF deployment with the other as a BGP Router"). Each object is one',
      `POST to the config API (http://${controlNodeAddress(c) ?? ''}:8082/bgp-routers) or one provision_mx.py / provision_control.py call.`,
      `Rendered by lab from ${lab.name}.`,
    ],
    routers.map((r) => ({
      'bgp-router': {
        fq_name: fqName(r.name),
        parent_type: 'routing-instance',
        bgp_router_parameters: {
          router_type: r.type,
          vendor: r.vendor,
          address: r.address,
          identifier: r.address,
          autonomous_system: r.as,
          port: 179,
          hold_time: 90,
          address_families: { family: ['inet', 'inet-vpn', 'route-target'] },
        },
        // the sessions: registered routers peer with these
        ...(r.peers.length ? { bgp_router_refs: r.peers.map((p) => ({ to: fqName(p) })) } : {}),
      },
    })),
  );
}

export function renderVrouterAgent(lab: Lab, node: Node): string {
  const underlay = node.interfaces[0];
  const network = lab.networks.find((n) => n.name === underlay?.network);
  return renderTemplate('tungsten-fabric/vrouter-agent.sh.njk', {
    ...header(lab),
    node,
    configmaps: VROUTER_CONFIGMAPS,
    address: underlay?.address ?? '',
    interface: underlay?.name ?? 'eth0',
    mtu: network?.mtu ?? 1500,
    vni: VNI,
    xmppPort: XMPP_PORT,
  });
}
