// The vagrant providers' own kind of journal resource (the contract's ResourceKinds, extended here).

declare module '../../contracts/provider.js' {
  interface ResourceKinds {
    /** A Vagrant project whose machines `vagrant destroy -f` removes (from lab's libvirt namespace, if named). */
    vagrant: { dir: string; hypervisor: string; netns?: string };
  }
}

export {};
