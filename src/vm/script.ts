// What a VM step's script is made of: the preamble and files written from quoted here-documents. The
// scripts are plain files in the rendered project (steps/NN-phase/NODE.sh): a reader can run them by
// hand with `sudo bash`.
import { shellComment, shellQuote } from '../shell-quote.js';

/** The script preamble: stop at the first error, no prompts. */
export function script(title: string, lines: string[]): string {
  return [
    '#!/usr/bin/env bash',
    shellComment(title),
    'set -euo pipefail',
    'export DEBIAN_FRONTEND=noninteractive',
    ...lines,
    '',
  ].join('\n');
}

/** Writes a file on the node from a quoted here-document, whose end marker no line of the content is. */
export function writeFile(path: string, content: string, mode = 0o644): string[] {
  const lines = new Set(content.split('\n'));
  let marker = 'LAB_FILE_END';
  for (let n = 1; lines.has(marker); n++) marker = `LAB_FILE_END_${n}`;
  const body = content.endsWith('\n') ? content.slice(0, -1) : content;
  return [
    `install -D -m ${mode.toString(8).padStart(4, '0')} /dev/stdin ${shellQuote(path)} <<'${marker}'`,
    body,
    marker,
  ];
}

export const q = shellQuote;
