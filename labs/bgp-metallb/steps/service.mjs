// Step "service": what `kubectl create deployment nginx --replicas=3` and `kubectl expose --type=LoadBalancer`
// leave behind: a backend on every worker, each answering with its name. Asked from the control plane in
// one command (one SSH connection, not one per worker: a hundred handshakes cost seconds); that every
// worker announces the service address is what the step's checks prove from the router and the client.
export default async ({ on, nodes, address, log }) => {
  const workers = nodes('worker');
  const urls = workers.map((w) => `http://${address(w.name, 'k8s-network')}/`);
  const answers = (await on('master')`curl -sS -m 2 ${urls}`).stdout.trim().split('\n');
  // a request that fails prints nothing: the answers after it would be blamed on the wrong worker
  if (answers.length !== workers.length)
    throw new Error(`${workers.length - answers.length} of ${workers.length} backends did not answer`);
  workers.forEach((worker, i) => {
    if (answers[i]?.trim() !== worker.name)
      throw new Error(`${worker.name}'s backend answered '${answers[i] ?? ''}', not its name`);
  });
  log(`${workers.length} backends answer, each with its worker's name`);
};
