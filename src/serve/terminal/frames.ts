// What a browser's frame means: keystrokes, or a resize (a text frame holding JSON, first char `{`).

export type Frame = { input: Buffer } | { resize: { cols: number; rows: number } };

const clamp = (n: unknown, max: number) =>
  typeof n === 'number' && Number.isInteger(n) && n >= 1 ? Math.min(n, max) : undefined;

/** Binary frames are always keystrokes; a text frame is a resize when it parses as one, else keystrokes. */
export function parseFrame(data: Buffer, isBinary: boolean): Frame {
  if (!isBinary && data[0] === 0x7b /* { */) {
    try {
      const r = (JSON.parse(data.toString('utf8')) as { resize?: { cols?: unknown; rows?: unknown } }).resize;
      const cols = clamp(r?.cols, 1000);
      const rows = clamp(r?.rows, 500);
      if (cols && rows) return { resize: { cols, rows } };
    } catch {
      // not JSON: typed text that starts with a brace
    }
  }
  return { input: data };
}
