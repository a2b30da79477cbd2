'use client';
import type { ReactNode } from 'react';
import type { PublicUser } from '@/lib/schemas/user';
import { AccountTriggerFace, accountTriggerProps } from './account-trigger';
import { deferred } from './ui/deferred';
import { IntentLink } from './ui/intent-link';
import { Logo } from './ui/logo';
import { SearchButton } from './search/search-button';

/**
 * The account menu: who I am, profile and settings, the theme, admin (for admins), signing out. Its menu is
 * fetched after the first paint (./ui/deferred.tsx); until then the same button stands in, disabled.
 */
const AccountMenu = deferred(
  () => import('./account-menu').then((m) => m.AccountMenu),
  ({ user }) => (
    <button type="button" disabled aria-haspopup="menu" {...accountTriggerProps(user)}>
      <AccountTriggerFace user={user} />
    </button>
  ),
).Component;

/** `isAdmin`: the user administers the instance (lib/data/instance-admin.ts): the account menu links to /admin. */
export function AppHeader({ user, leading, isAdmin = false }: { user: PublicUser; leading?: ReactNode; isAdmin?: boolean }) {
  return (
    <header className="flex h-14 shrink-0 items-center justify-between gap-2 border-b border-line bg-surface px-2 sm:gap-4 sm:px-4">
      <div className="flex shrink-0 items-center gap-1">
        {leading}
        <IntentLink href="/" aria-label="Parley home" className="flex items-center rounded-control px-1 outline-none focus-visible:ring-2 focus-visible:ring-focus max-sm:min-h-touch">
          <Logo markOnly className="sm:hidden" />
          <Logo className="max-sm:hidden" />
        </IntentLink>
      </div>
      <div className="flex min-w-0 flex-1 justify-end sm:justify-center">
        <SearchButton />
      </div>
      <div className="flex shrink-0 items-center">
        <AccountMenu user={user} isAdmin={isAdmin} />
      </div>
    </header>
  );
}
