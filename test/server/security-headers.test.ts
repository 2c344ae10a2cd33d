import { describe, expect, it } from 'vitest';
import { securityHeaders } from '../../src/server/security-headers.js';

describe('securityHeaders (helmet, computed once)', () => {
  const csp = {
    directives: {
      defaultSrc: ["'self'"],
      frameAncestors: ["'none'"],
      objectSrc: ["'none'"],
      upgradeInsecureRequests: null,
    },
  };

  it('gives the headers helmet sets, with lower-case names', () => {
    const h = securityHeaders({
      contentSecurityPolicy: csp,
      hsts: false,
      crossOriginEmbedderPolicy: false,
      referrerPolicy: { policy: 'same-origin' },
    });
    const policy = h['content-security-policy'] ?? '';
    expect(policy.split(';')).toEqual(
      expect.arrayContaining(["default-src 'self'", "frame-ancestors 'none'", "object-src 'none'"]),
    );
    expect(policy).not.toContain('upgrade-insecure-requests');
    expect(h['x-content-type-options']).toBe('nosniff');
    expect(h['x-frame-options']).toBe('SAMEORIGIN');
    expect(h['referrer-policy']).toBe('same-origin');
    expect(h['cross-origin-opener-policy']).toBe('same-origin');
    expect(h['strict-transport-security']).toBeUndefined();
    expect(h['cross-origin-embedder-policy']).toBeUndefined();
    expect(Object.keys(h).every((k) => k === k.toLowerCase())).toBe(true);
    expect(Object.isFrozen(h)).toBe(true);
  });

  it('adds HSTS when asked', () => {
    const h = securityHeaders({
      contentSecurityPolicy: csp,
      hsts: { maxAge: 15_552_000, includeSubDomains: false },
    });
    expect(h['strict-transport-security']).toBe('max-age=15552000');
  });

  it('throws on options helmet refuses, at start-up rather than per request', () => {
    expect(() =>
      securityHeaders({ contentSecurityPolicy: { directives: { defaultSrc: ['none'] } } }),
    ).toThrow(/none/);
  });
});
