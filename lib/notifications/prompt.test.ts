import { describe, expect, it } from 'vitest';
import { promptView } from './prompt';

describe('promptView', () => {
  it('asks only once I have taken part, while the browser has not been asked', () => {
    expect(promptView({ permission: 'default', eligible: false, dismissed: false })).toBe('none'); // page load
    expect(promptView({ permission: 'default', eligible: true, dismissed: false })).toBe('ask');
  });

  it('says how to allow them again when blocked; nothing once granted, dismissed or unsupported', () => {
    expect(promptView({ permission: 'denied', eligible: true, dismissed: false })).toBe('blocked');
    expect(promptView({ permission: 'granted', eligible: true, dismissed: false })).toBe('none');
    expect(promptView({ permission: 'default', eligible: true, dismissed: true })).toBe('none');
    expect(promptView({ permission: 'denied', eligible: true, dismissed: true })).toBe('none');
    expect(promptView({ permission: 'unsupported', eligible: true, dismissed: false })).toBe('none');
  });
});
