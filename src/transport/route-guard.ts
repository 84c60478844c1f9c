// Before any connection: a lab address must leave through the lab's own link, never the default route.

import { PreflightError } from '../errors.js';
import { mustRun } from '../host/command.js';

/** Throws unless every address is routed out of `link` (one `ip -batch` for all of them). */
export async function verifyRoutedVia(addresses: string[], link: string): Promise<void> {
  if (!addresses.length) return;
  const { stdout } = await mustRun('ip', ['-j', '-batch', '-'], {
    input: addresses.map((a) => `route get ${a}`).join('\n'),
  });
  const routes = stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { dst: string; dev: string }[])[0]);
  const wrong = addresses.filter((a, i) => routes[i]?.dev !== link || routes[i]?.dst !== a);
  if (wrong.length) {
    const how = routes[addresses.indexOf(wrong[0])]?.dev ?? 'nowhere';
    throw new PreflightError(
      `refusing to connect: ${wrong.join(', ')} would leave through ${how}, not the lab's link ${link}`,
      {
        details: [
          'The lab is not up (or its management link is gone): run lab status, then lab down and lab up.',
        ],
      },
    );
  }
}
