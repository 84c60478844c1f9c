// The root namespace's routes, read from /proc/net/route as `ip -4 route show table main` lists them.
import { describe, expect, it } from 'vitest';
import { parseProcRoutes } from '../../src/host/routes.js';

// a namespace's table (little-endian host): default, a connected /24, blackhole, a /32, multipath, unreachable
const TABLE = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
d0\t00000000\tFE00090A\t0003\t0\t0\t0\t00000000\t0\t0\t0
d0\t0000090A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
*\t0000140A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
d0\t01011E0A\t00000000\t0005\t0\t0\t0\tFFFFFFFF\t0\t0\t0
d0\t0000280A\t0200090A\t0003\t0\t0\t0\t0000FEFF\t0\t0\t0
*\t000010AC\t00000000\t0201\t0\t0\t0\t0000F0FF\t0\t0\t0
`;

describe('hostRoutes', () => {
  it('lists every prefix but the default, as ip route does', () => {
    expect(parseProcRoutes(TABLE).sort()).toEqual([
      '10.20.0.0/16',
      '10.30.1.1/32',
      '10.40.0.0/15',
      '10.9.0.0/24',
      '172.16.0.0/12',
    ]);
  });
  it("leaves out the routes of the links it is told to ignore (another lab's own link)", () => {
    expect(parseProcRoutes(TABLE, ['d0']).sort()).toEqual(['10.20.0.0/16', '172.16.0.0/12']);
  });
});
