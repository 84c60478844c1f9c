// The system browser that opens the HTML report, for the bench and the report tests alike: Debian's
// chromium (setup.sh installs it), Google Chrome on runners that have it instead, or LAB_CHROMIUM.
import { existsSync } from 'node:fs';

export const CHROMIUM =
  process.env.LAB_CHROMIUM ??
  ['/usr/bin/chromium', '/usr/bin/google-chrome'].find((p) => existsSync(p)) ??
  '/usr/bin/chromium';

/** Headless, no sandbox (root in CI), nothing fetched or synced while it measures. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
