// The top README, and any lab's README without a file of its own, run as a reader runs them
// (test/helpers/readme-runner.ts).
import { ALL_READMES, OWN_FILE, runReadmes } from '../helpers/readme-runner.js';

runReadmes(ALL_READMES.filter((f) => !OWN_FILE.includes(f)));
