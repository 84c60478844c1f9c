// The resolved lab's types and look-ups live in core/ (add-ons, daemons and roles read them too).
export * from '../core/lab.js';
