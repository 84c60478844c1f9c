// labs/tf-multicluster/README.md run as a reader runs it (test/helpers/readme-runner.ts), beside the other READMEs.
import { runReadmes } from '../helpers/readme-runner.js';

runReadmes(['labs/tf-multicluster/README.md']);
