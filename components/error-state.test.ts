import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { ErrorState } from './error-state';

vi.mock('next/link', () => ({
  default: ({ href, children, ...rest }: { href: string; children: unknown }) => createElement('a', { href, ...rest }, children as never),
}));

describe('ErrorState', () => {
  it('offers "Try again" and a way home, and shows a server error only by its digest', () => {
    const error = Object.assign(new Error('secret internals'), { digest: '12345' });
    const html = renderToStaticMarkup(createElement(ErrorState, { error, retry: () => undefined }));
    expect(html).toContain('Try again');
    expect(html).toContain('href="/"');
    expect(html).toContain('Reference: 12345');
    expect(html).not.toContain('secret internals');
  });
});
