// `vagrant ssh-config` output: one Host block per machine.
export interface VagrantSsh {
  node: string;
  host: string;
  port: number;
  user: string;
  identityFile: string;
}

export function parseSshConfig(text: string): VagrantSsh[] {
  const out: VagrantSsh[] = [];
  let cur: Partial<VagrantSsh> | undefined;
  const done = () => {
    if (cur?.node && cur.host && cur.identityFile)
      out.push({ port: 22, user: 'vagrant', ...cur } as VagrantSsh);
  };
  for (const raw of text.split('\n')) {
    const m = /^\s*(\S+)\s+(.*?)\s*$/.exec(raw);
    if (!m) continue;
    const [, key, value] = m;
    switch (key.toLowerCase()) {
      case 'host':
        done();
        cur = { node: value };
        break;
      case 'hostname':
        if (cur) cur.host = value;
        break;
      case 'port':
        if (cur) cur.port = Number(value);
        break;
      case 'user':
        if (cur) cur.user = value;
        break;
      case 'identityfile':
        // the first one: vagrant lists the machine's own key first
        if (cur && !cur.identityFile) cur.identityFile = value.replace(/^"(.*)"$/, '$1');
        break;
    }
  }
  done();
  return out;
}
