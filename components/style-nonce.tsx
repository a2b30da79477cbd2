'use client';
import { setNonce } from 'get-nonce';
import { useEffect } from 'react';

/**
 * Radix's dialogs lock page scrolling with react-remove-scroll, which adds a `<style>` element as one opens.
 * Under our CSP (`style-src 'self' 'nonce-…'`, lib/security-headers.ts) that element needs the request's
 * nonce or the browser drops it: the page behind a dialog kept scrolling and every dialog logged a violation.
 * The nonce is the one Next put on its own scripts; react-style-singleton reads it through `get-nonce`.
 */
export function StyleNonce() {
  useEffect(() => {
    const nonce = document.querySelector<HTMLScriptElement>('script[nonce]')?.nonce;
    if (nonce) setNonce(nonce);
  }, []);
  return null;
}
