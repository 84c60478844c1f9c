// The registry of roles: an unknown role fails with the list of known ones.
import { birdRouter } from './bird-router.js';
import { calicoNode } from './calico-node.js';
import { dcosMaster, k8sControlPlane } from './control-plane.js';
import { frrRouter } from './frr-router.js';
import { gobgpRouteReflector } from './gobgp-route-reflector.js';
import { httpBackend } from './http-backend.js';
import { ipRouter } from './ip-router.js';
import { metallbSpeaker } from './metallb-speaker.js';
import { netplanRoutes } from './netplan-routes.js';
import type { Role } from './role.js';

/** Roles whose work is all in the full realization (a Kubernetes worker joins its cluster). */
const plain = (name: string, description: string): Role => ({ name, description });
/** Roles the emulated lab would need to run, which it cannot run yet. */
const notEmulated = (name: string, description: string): Role => ({ name, description, emulated: false });

export const ROLES: Record<string, Role> = Object.fromEntries(
  [
    birdRouter,
    frrRouter,
    ipRouter,
    metallbSpeaker,
    httpBackend,
    netplanRoutes,
    k8sControlPlane,
    dcosMaster,
    calicoNode,
    gobgpRouteReflector,
    plain('k8s-worker', 'Kubernetes worker (full realization: kubeadm join)'),
    plain('dcos-agent', 'DC/OS agent (full realization)'),
    notEmulated('tf-controller', 'Tungsten Fabric controller and control node'),
    notEmulated('tf-vrouter', 'Tungsten Fabric vRouter agent'),
    notEmulated('cilium-agent', 'Cilium agent in tunnel mode'),
  ].map((r) => [r.name, r]),
);

export function roleOf(name: string): Role | undefined {
  return ROLES[name];
}
