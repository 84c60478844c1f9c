// Preflight lists everything the host lacks at once, with what installs it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PreflightError } from '../../src/errors.js';
import { openLab } from '../../src/model/open.js';
import { needsOf, verifyHost } from '../../src/providers/netns/preflight.js';
import { labFile } from '../helpers/labs.js';

describe('preflight', () => {
  afterEach(() => vi.restoreAllMocks());

  it('asks for what each lab runs', () => {
    const whats = (name: string, sets: string[] = []) =>
      needsOf(openLab(labFile(name), sets).lab).map((n) => n.what);
    expect(whats('bgp-metallb')).toEqual(
      expect.arrayContaining(['the command bird', 'the command nginx', 'the command sshd']),
    );
    expect(whats('bgp-metallb')).not.toContain('the command bgpd');
    expect(whats('bgp-metallb', ['speaker=frr'])).toContain('the command bgpd');
    expect(whats('multi-coe-calico')).toEqual(
      expect.arrayContaining(['the command gobgpd', 'the command bird']),
    );
  });

  it('names everything missing in one error, with one install line', () => {
    vi.spyOn(process, 'getuid').mockReturnValue(1000);
    const { lab } = openLab(labFile('bgp-metallb'));
    let error: PreflightError | undefined;
    try {
      verifyHost(lab);
    } catch (e) {
      error = e as PreflightError;
    }
    expect(error).toBeInstanceOf(PreflightError);
    expect(error!.exitCode).toBe(3);
    expect(error!.details.join('\n')).toMatch(/root .*: run as root, e\.g\. sudo npx lab up/);
  });
});
