'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { ComponentPropsWithRef } from 'react';

/**
 * A `next/link` that prefetches when someone reaches for it (pointer over it, or keyboard focus), not when it
 * scrolls into view. Each prefetch of a room is a dynamic render on the server (session, room list, membership):
 * a sidebar of rooms would cost one per room on every page load, competing with that page's own scripts and socket
 * for the server's CPU. Navigation still starts from a warm cache in the usual case of hovering before a click.
 */
export function IntentLink({ href, onPointerEnter, onFocus, ...props }: Omit<ComponentPropsWithRef<typeof Link>, 'prefetch' | 'href'> & { href: string }) {
  const router = useRouter();
  return (
    <Link
      {...props}
      href={href}
      prefetch={false}
      onPointerEnter={(event) => {
        router.prefetch(href);
        onPointerEnter?.(event);
      }}
      onFocus={(event) => {
        router.prefetch(href);
        onFocus?.(event);
      }}
    />
  );
}
