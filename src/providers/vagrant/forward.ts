// A port on the host's 127.0.0.1 that reaches a VM's SSH inside lab's libvirt namespace: the host's
// ssh2 and OpenSSH connect to loopback, each connection carried by `ip netns exec NS socat` (no
// route to the VM's network ever exists outside the namespace). Run detached by lab up:
//   node forward.js NETNS HOST PORT   prints the loopback port, then serves until stopped
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

const [netns, host, port] = process.argv.slice(2);
const server = createServer((socket) => {
  const child = spawn('ip', ['netns', 'exec', netns, 'socat', 'STDIO', `TCP:${host}:${port}`], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  socket.pipe(child.stdin);
  child.stdout.pipe(socket);
  const end = () => {
    socket.destroy();
    child.kill();
  };
  socket.on('error', end);
  socket.on('close', end);
  child.on('exit', () => socket.end());
  child.stdin.on('error', () => undefined);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
// the parent reads the port and goes: a closed stdout is no reason to stop
process.stdout.on('error', () => undefined);
process.on('SIGHUP', () => undefined);
