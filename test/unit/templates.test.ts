import { describe, expect, it } from 'vitest';
import { birdFilter, renderString } from '../../src/core/templates.js';

describe('template environment', () => {
  it('speaks the Jinja2 idioms of the seed templates', () => {
    const out = renderString('{% for i in range(1, (n | int) + 1) %}10.0.0.{{ i + 50 }} {% endfor %}', {
      n: '3',
    });
    expect(out.trim()).toBe('10.0.0.51 10.0.0.52 10.0.0.53');
  });

  it('fails on an undefined variable instead of rendering an empty string', () => {
    expect(() => renderString('as {{ asn }};', {})).toThrow(/undefined|null/);
  });

  it('does not HTML-escape configuration', () => {
    expect(renderString('{{ x }}', { x: 'a && b <c>' })).toBe('a && b <c>');
  });

  it('turns lab filters into BIRD channel filters', () => {
    expect(birdFilter('all')).toBe('all');
    expect(birdFilter(['172.16.254.1/32', '10.0.0.0/8'])).toBe('where net ~ [ 172.16.254.1/32, 10.0.0.0/8 ]');
    expect(() => birdFilter(undefined)).toThrow(/ebgp-no-filter/);
  });
});
