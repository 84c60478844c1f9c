// The system browser the report tests drive: the one the bench uses (src/report/chromium.ts).
export { CHROMIUM, CHROMIUM_FLAGS } from '../../src/report/chromium.js';
