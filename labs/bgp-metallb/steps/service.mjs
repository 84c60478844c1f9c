// Step "service": what `kubectl create deployment nginx --replicas=3` and `kubectl expose --type=LoadBalancer`
// leave behind: a backend on every worker, each answering with its name. Asked in one command from the
// router, on the cluster's network: its SSH connection is the one the checks hold open (not one per
// worker, nor one more to the control plane: a handshake costs ~20 ms of the host's CPU, a workshop's
// thirty of them more than half a second); that every worker announces the service address is what
// the step's checks prove from the router and the client.
export default async ({ on, nodes, address, log }) => {
  const workers = nodes('worker');
  const urls = workers.map((w) => `http://${address(w.name, 'k8s-network')}/`);
  const answers = (await on('router')`curl -sS -m 2 ${urls}`).stdout.trim().split('\n');
  workers.forEach((worker, i) => {
    if (answers[i]?.trim() !== worker.name)
      throw new Error(`${worker.name}'s backend answered '${answers[i] ?? ''}', not its name`);
  });
  log(`${workers.length} backends answer, each with its worker's name`);
};
