// Tungsten Fabric: clusters whose control nodes peer over BGP. Emulated by the tf-controller (a control
// node: BIRD its BGP face, GoBGP its agents' XMPP side) and tf-vrouter (an agent, its pods, VXLAN
// tunnels) roles; rendered for the full realization as TF's ConfigMaps and BGP router registration.
import type { Addon } from '../../contracts/addon.js';
import { MANIFESTS } from '../addon.js';
import { deriveTungstenFabric, tfClusters } from './derive.js';
import { tungstenFabricRules } from './lint.js';
import { renderBgpRouters, renderConfigMaps } from './render.js';
import { tfController, tfVrouter } from './roles.js';
import { tungstenFabricSchema } from './schema.js';
import { tungstenFabricVm } from './vm.js';

export const tungstenFabric: Addon<'tungsten_fabric', typeof tungstenFabricSchema> = {
  key: 'tungsten_fabric',
  schema: tungstenFabricSchema,
  cni: 'Tungsten Fabric',
  derive: deriveTungstenFabric,
  lint: tungstenFabricRules,
  manifests: (lab, node, cluster) => {
    const c = tfClusters(lab).find((x) => x.cluster === cluster);
    if (!c) return [];
    return [
      {
        node: node.name,
        path: `${MANIFESTS}/tf-configmaps.yaml`,
        content: renderConfigMaps(lab, c),
        manifest: 'tf',
      },
      { node: node.name, path: `${MANIFESTS}/tf-bgp-routers.yaml`, content: renderBgpRouters(lab, c) },
    ];
  },
  roles: [tfController, tfVrouter],
  codes: {
    traps: ['vrouter-gateway', 'tf-cidr-mismatch', 'as-must-differ'],
    errors: ['tf-cidr-missing', 'tf-service-index', 'tf-pods-exhausted'],
    warnings: ['tf-no-vrouter'],
  },
  vm: tungstenFabricVm,
};
