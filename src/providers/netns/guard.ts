// The management network carries the host's connections to its nodes (SSH), never a node's to the host:
// root on a node (a workshop's attendee) would otherwise reach every service the host listens on for all
// addresses (its sshd, lab serve's pages and gateway) through the host's end, and, where the host
// forwards, everything beyond it. The switch's bridge drops what a node starts towards the uplink.
// Stateless, because this kernel's bridge has no connection tracking (`ct` is "Protocol error" in a
// bridge table): a TCP segment that opens a connection (SYN without ACK) and anything but TCP and
// the ICMP a reply or neighbour discovery needs. In the switch's namespace, which no node can enter,
// and gone with it: nothing is added to the host's own firewall.

/** nft's input for the switch's namespace; `uplink` is the switch's end of the host's link. */
export const MANAGEMENT_GUARD = `table bridge lab_guard {
  chain forward {
    type filter hook forward priority 0; policy accept;
    oifname != "uplink" accept
    ether type arp accept
    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, echo-reply, destination-unreachable, packet-too-big, time-exceeded, parameter-problem } accept
    icmp type { echo-reply, destination-unreachable, time-exceeded, parameter-problem } accept
    tcp flags & (syn | ack) != syn accept
    drop
  }
}
`;
