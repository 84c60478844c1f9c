// labs/cilium-clustermesh/README.md run as a reader runs it (test/helpers/readme-runner.ts), beside the other READMEs.
import { runReadmes } from '../helpers/readme-runner.js';

runReadmes(['labs/cilium-clustermesh/README.md']);
