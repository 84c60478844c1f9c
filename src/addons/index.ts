// The registry of add-ons: one line each. The schema, resolve, lint, render and the roles consult it;
// an add-on's key under `clusters.<name>.addons` is its `key`, in this order.
import type { z } from 'zod';
import type { Addon } from '../contracts/addon.js';
import type {} from '../core/schema.js';
import { calico } from './calico/index.js';
import { cilium } from './cilium/index.js';
import { metallb } from './metallb/index.js';
import { tungstenFabric } from './tungsten-fabric/index.js';

export const ADDONS = [metallb, calico, cilium, tungstenFabric] as const satisfies readonly Addon[];

type Registered = (typeof ADDONS)[number];
export type AddonKey = Registered['key'];

/** Each add-on's configuration, as the lab's types see clusters.<name>.addons. */
type Settings = { [A in Registered as A['key']]?: z.infer<A['schema']> };
declare module '../core/schema.js' {
  interface AddonSettings extends Settings {}
}

/** clusters.<name>.addons: each add-on's schema under its key, optional. */
export type AddonsShape = { [A in Registered as A['key']]: z.ZodOptional<A['schema']> };

export function addonsShape(): AddonsShape {
  return Object.fromEntries(ADDONS.map((a) => [a.key, a.schema.optional()])) as unknown as AddonsShape;
}

/** The add-ons a cluster enables, in registry order. */
export function addonsOf(cluster: { addons: Partial<Record<AddonKey, unknown>> }): Addon[] {
  return ADDONS.filter((a) => cluster.addons[a.key] !== undefined);
}
