// Processes by PID live in host/ (providers stop them too).
export * from '../host/processes.js';
