// Step "service": what `kubectl create deployment nginx --replicas=3` and `kubectl expose --type=LoadBalancer`
// leave behind, seen from each worker: it holds the service address and its nginx answers on it.
// The workers are asked all at once: one after another, a hundred SSH handshakes took 12 s.
export default async ({ on, nodes, log }) => {
  await Promise.all(
    nodes('worker').map(async (worker) => {
      const $w = on(worker.name);
      const held = await $w`ip -4 -o addr show dev lo`;
      const address = held.stdout.match(/inet (172\.16\.254\.\d+)\/32/)?.[1];
      if (!address) throw new Error(`${worker.name} holds no service address on lo`);
      const answer = await $w`curl -sS -m 2 http://${address}/`;
      log(`${worker.name} serves ${address}: ${answer.stdout.trim()}`);
    }),
  );
};
