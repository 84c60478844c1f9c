// Address arithmetic lives in net/ (daemons, core, add-ons and providers share it).
export * from '../net/ipv4.js';
