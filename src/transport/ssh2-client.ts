// ssh2's Client, loaded without what lab's connections never use: its package entry also loads its SSH
// server, key generator and HTTP agents (https and tls with them), and its crypto module compiles a
// WebAssembly Poly1305 for the case where ssh2's native binding is missing. With the binding present,
// ChaCha20-Poly1305 runs in the binding and that module is never called: it is not compiled.
import Module, { createRequire } from 'node:module';
import type { Client } from 'ssh2';

const require = createRequire(import.meta.url);
let loaded: typeof Client | undefined;

/** Stands in for ssh2's wasm Poly1305 when the native binding does the work (its only caller is the
 * binding-less cipher); it throws, should ssh2 ever call it, rather than authenticate wrongly. */
function skipWasmPoly1305(): void {
  try {
    require('ssh2/lib/protocol/crypto/build/Release/sshcrypto.node');
  } catch {
    return; // no binding: ssh2 needs its wasm
  }
  const file = require.resolve('ssh2/lib/protocol/crypto/poly1305.js');
  if (require.cache[file]) return;
  const stub = new Module(file);
  stub.filename = file;
  stub.loaded = true;
  stub.exports = async () => ({
    _malloc: () => 0,
    cwrap: () => () => {
      throw new Error("ssh2's wasm Poly1305 was called though its native binding is loaded");
    },
  });
  require.cache[file] = stub;
}

export function ssh2Client(): typeof Client {
  if (loaded) return loaded;
  try {
    skipWasmPoly1305();
    loaded = require('ssh2/lib/client.js') as typeof Client;
  } catch {
    loaded = (require('ssh2') as typeof import('ssh2')).Client; // another layout: the whole package
  }
  return loaded;
}
