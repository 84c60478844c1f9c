// Preloaded into a measured lab command (node --import): at exit, the process's own CPU and peak
// memory go to $BENCH_RUSAGE, which the bench reads (the command's children are counted by bash).
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RUSAGE;
if (file) process.on('exit', () => writeFileSync(file, JSON.stringify(process.resourceUsage())));
