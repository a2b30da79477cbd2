import { describe, expect, it } from 'vitest';
import { safeCallbackUrl } from './safe-redirect';

describe('safeCallbackUrl', () => {
  it('keeps same-site paths', () => {
    expect(safeCallbackUrl('/settings?tab=1')).toBe('/settings?tab=1');
  });
  it.each(['https://evil.example/', '//evil.example', '/\\evil.example', 'settings', undefined, 42])('replaces %j with /', (v) => {
    expect(safeCallbackUrl(v)).toBe('/');
  });
});
