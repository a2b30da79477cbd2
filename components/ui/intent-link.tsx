'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { ComponentPropsWithRef } from 'react';

/**
 * A `next/link` that prefetches when someone reaches for it (pointer over it, or keyboard focus), not when it
 * scrolls into view. Each prefetch of a room is a dynamic render on the server (session, room list, membership):
 * a sidebar of rooms would cost one per room on every page load, competing with that page's own scripts and socket
 * for the server's CPU. Navigation still starts from a warm cache in the usual case of hovering before a click.
 * `prefetchIf` says no when the link will not use the router at all (a room opened in place, room-navigation.ts).
 */
export function IntentLink({
  href,
  onPointerEnter,
  onFocus,
  prefetchIf,
  ...props
}: Omit<ComponentPropsWithRef<typeof Link>, 'prefetch' | 'href'> & { href: string; prefetchIf?: () => boolean }) {
  const router = useRouter();
  const prefetch = () => {
    if (!prefetchIf || prefetchIf()) router.prefetch(href);
  };
  return (
    <Link
      {...props}
      href={href}
      prefetch={false}
      onPointerEnter={(event) => {
        prefetch();
        onPointerEnter?.(event);
      }}
      onFocus={(event) => {
        prefetch();
        onFocus?.(event);
      }}
    />
  );
}
