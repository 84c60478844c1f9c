// dot to SVG with Graphviz compiled to WebAssembly: no system graphviz needed, the same output everywhere.
import { Graphviz } from '@hpcc-js/wasm-graphviz';

let loaded: Promise<Graphviz> | undefined;

export async function dotToSvg(dot: string): Promise<string> {
  loaded ??= Graphviz.load();
  return (await loaded).dot(dot, 'svg');
}
