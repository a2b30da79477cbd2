import { ChevronDownIcon } from '@heroicons/react/20/solid';
import type { PublicUser } from '@/lib/schemas/user';
import { Avatar } from './ui/avatar';

/**
 * The account menu's button, shared by the menu (./account-menu.tsx, fetched after the first paint) and the
 * stand-in the header shows until it is here, so the swap is not seen.
 */
export function accountTriggerProps(user: PublicUser) {
  return {
    'data-testid': 'current-user',
    'aria-label': `Account menu, ${user.displayName}`,
    className:
      'flex min-w-0 items-center gap-2 rounded-control p-1 text-sm text-fg-muted outline-none hover:bg-surface-sunken focus-visible:ring-2 focus-visible:ring-focus data-[state=open]:bg-surface-sunken max-sm:size-touch max-sm:justify-center sm:pr-2',
  };
}

export function AccountTriggerFace({ user }: { user: PublicUser }) {
  return (
    <>
      <Avatar user={user} size="md" />
      <span className="hidden min-w-0 max-w-40 truncate font-medium text-fg sm:inline lg:max-w-56">{user.displayName}</span>
      <ChevronDownIcon aria-hidden className="hidden size-4 shrink-0 text-fg-subtle sm:block" />
    </>
  );
}
