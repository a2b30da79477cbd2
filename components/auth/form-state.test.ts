import { describe, expect, it } from 'vitest';
import { visibleServerErrors } from './form-state';

describe('visibleServerErrors', () => {
  const state = { fieldErrors: { username: 'That username is taken.', password: 'Too short.' }, formError: 'Try again later.' };

  it('shows everything until the user edits', () => {
    expect(visibleServerErrors(state, new Set())).toEqual({ fieldErrors: state.fieldErrors, formError: 'Try again later.' });
  });

  it("drops an edited field's error and the form-level error, keeps the others", () => {
    expect(visibleServerErrors(state, new Set(['username']))).toEqual({ fieldErrors: { password: 'Too short.' }, formError: undefined });
  });

  it('copes with an empty answer', () => {
    expect(visibleServerErrors({}, new Set(['x']))).toEqual({ fieldErrors: {}, formError: undefined });
  });
});
