// etcd (Debian etcd-server 3.4): one member per cluster, the kvstore of Cilium's clustermesh-apiserver.
// It reads everything from its rendered configuration file; its data sits in the node's private /run,
// which goes with the instance's state folder at lab down.
import type { Daemon } from './daemon.js';

export const ETCD_CONFIG = '/etc/etcd/etcd.conf.yml';
export const ETCD_DATA_DIR = '/run/etcd/data';
export const ETCD_PIDFILE = '/run/etcd/etcd.pid';

export const etcd: Daemon = {
  name: 'etcd',
  package: 'etcd-server',
  commands: ['etcd'],
  start: {
    name: 'etcd',
    run: `mkdir -p ${ETCD_DATA_DIR} && chmod 700 ${ETCD_DATA_DIR} && { etcd --config-file ${ETCD_CONFIG} </dev/null >/dev/null 2>&1 & echo $! > ${ETCD_PIDFILE}; }`,
    pidfile: ETCD_PIDFILE,
    program: 'etcd',
  },
};

/** etcd's client (Debian etcd-client): checks and the walkthrough read the kvstore with it. */
export const ETCDCTL = { command: 'etcdctl', package: 'etcd-client' };
