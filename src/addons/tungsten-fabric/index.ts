// Tungsten Fabric: clusters whose control nodes peer over BGP (rendered; its emulation is the
// tf-controller and tf-vrouter roles).
import type { Role } from '../../roles/role.js';
import { type Addon, manifest } from '../addon.js';
import { tungstenFabricRules } from './lint.js';
import { tungstenFabricSchema } from './schema.js';

const roles: Role[] = [
  {
    name: 'tf-controller',
    description: 'Tungsten Fabric controller and control node',
    emulated: false,
    // the control node peers over BGP as the lab says (TF's BGP router objects)
    honours: ['bgp.as', 'bgp.router_id', 'bgp.neighbors', 'bgp.neighbors.peer', 'bgp.import', 'bgp.export'],
  },
  { name: 'tf-vrouter', description: 'Tungsten Fabric vRouter agent', emulated: false },
];

export const tungstenFabric: Addon<'tungsten_fabric', typeof tungstenFabricSchema> = {
  key: 'tungsten_fabric',
  schema: tungstenFabricSchema,
  cni: 'Tungsten Fabric',
  lint: tungstenFabricRules,
  manifests: (lab, node, cluster) => {
    const tf = cluster.addons.tungsten_fabric;
    if (!tf) return [];
    const controllers = lab.nodes
      .filter((n) => n.name === cluster.controlPlane)
      .map((n) => n.interfaces[0].address);
    return [
      manifest(lab, node, cluster, {
        name: 'tf-configmaps.yaml',
        template: 'tungsten-fabric/configmaps.yaml.njk',
        context: {
          tf,
          as: cluster.as ?? 64512,
          apiServer: node.interfaces[0]?.address ?? '',
          controllers: controllers.join(','),
          podSubnets: tf.pod_subnets ?? cluster.podSubnet,
          serviceSubnets: tf.service_subnets ?? cluster.serviceSubnet,
          fabricSubnets: tf.fabric_subnets ?? cluster.fabricSubnet,
        },
        kind: 'tf',
      }),
    ];
  },
  roles,
};
