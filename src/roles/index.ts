// The registry of roles: the generic ones here, then those each add-on brings. An unknown role fails
// with the list of known ones.
import { ADDONS } from '../addons/index.js';
import type { Role, RoleVm } from '../contracts/role.js';
import { birdRouter } from './bird-router.js';
import { dcosMaster, k8sControlPlane } from './control-plane.js';
import { frrRouter } from './frr-router.js';
import { gobgpRouteReflector } from './gobgp-route-reflector.js';
import { gobgpRouteServer } from './gobgp-route-server.js';
import { httpBackend } from './http-backend.js';
import { ipRouter } from './ip-router.js';
import { netplanRoutes } from './netplan-routes.js';

/** Roles whose work is all in the full realization (a Kubernetes worker joins its cluster, by its IPv4
 * node IP; its control plane's role brings the cluster up). */
const plain = (name: string, description: string, vm: RoleVm): Role => ({
  name,
  description,
  needsIpv4: true,
  vm,
});

export const ROLES: Record<string, Role> = Object.fromEntries(
  [
    birdRouter,
    frrRouter,
    ipRouter,
    httpBackend,
    netplanRoutes,
    k8sControlPlane,
    dcosMaster,
    gobgpRouteReflector,
    gobgpRouteServer,
    plain('k8s-worker', 'Kubernetes worker (full realization: kubeadm join)', {
      size: { cpus: 2, memoryMb: 2048 },
      packages: () => ['apt-transport-https', 'gpg'],
      forwards: true,
    }),
    plain('dcos-agent', 'DC/OS agent (full realization)', {
      size: { cpus: 2, memoryMb: 2048 },
      forwards: true,
    }),
    ...ADDONS.flatMap((a): Role[] => a.roles ?? []),
  ].map((r) => [r.name, r]),
);

export function roleOf(name: string): Role | undefined {
  // own names only: roles: [constructor] found Object's constructor, and lint said ok
  return Object.hasOwn(ROLES, name) ? ROLES[name] : undefined;
}
