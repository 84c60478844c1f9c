// Step "break-vrouter-gateway": the published one-line install's `VROUTER_GATEWAY: {{ K8S_MASTER_IP }}`,
// on purpose. Each vRouter agent reads VROUTER_GATEWAY from the env ConfigMap rendered on its node: the
// step edits that file on every worker of cluster A, as `kubectl edit configmap env` would, and has each
// agent read it again (`vrouter-agent underlay`), as the restart of its pod does. The checks then show
// what the author saw: the control plane keeps working, the underlay does not.
export default async ({ on, nodes, address, files, log }) => {
  const master = address('a-master', 'underlay-a');
  await Promise.all(
    nodes('a-worker').map(async (worker) => {
      const env = files(worker.name).find((f) => f.endsWith('/tf-configmaps.yaml'));
      if (!env) throw new Error(`${worker.name} has no rendered TF ConfigMaps`);
      const $w = on(worker.name);
      await $w`sed -i -E ${`s/^(  VROUTER_GATEWAY: *).*$/\\1${master}/`} ${env}`;
      await $w`grep -qx ${`  VROUTER_GATEWAY: ${master}`} ${env}`;
      const applied = await $w`/etc/lab/bin/vrouter-agent underlay`;
      log(`${worker.name}: VROUTER_GATEWAY ${master} in ${env}; ${applied.stdout.trim()}`);
    }),
  );
};
