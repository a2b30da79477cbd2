'use client';
import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { ArrowRightStartOnRectangleIcon, ChevronDownIcon, Cog6ToothIcon, ShieldCheckIcon, UserCircleIcon } from '@heroicons/react/20/solid';
import Link from 'next/link';
import { startTransition, type ReactNode } from 'react';
import { logoutAction } from '@/app/(auth)/actions';
import type { PublicUser } from '@/lib/schemas/user';
import { parseTheme } from '@/lib/theme';
import { Avatar } from './ui/avatar';
import { Logo } from './ui/logo';
import { MenuContent } from './ui/menu';
import { THEME_OPTIONS, useTheme } from './ui/theme-toggle';
import { SearchButton } from './search/search-button';

const item =
  'flex min-h-9 cursor-pointer select-none items-center gap-2.5 rounded-control px-2.5 text-sm text-fg outline-none data-[highlighted]:bg-surface-sunken max-sm:min-h-touch';
const itemIcon = 'size-4 shrink-0 text-fg-subtle';

/** The account menu: who I am, profile and settings, the theme, admin (for admins), signing out. */
function AccountMenu({ user, isAdmin }: { user: PublicUser; isAdmin: boolean }) {
  const [theme, setTheme] = useTheme();
  return (
    <DropdownMenu.Root modal={false}>
      <DropdownMenu.Trigger
          data-testid="current-user"
          aria-label={`Account menu, ${user.displayName}`}
          className="flex min-w-0 items-center gap-2 rounded-control p-1 text-sm text-fg-muted outline-none hover:bg-surface-sunken focus-visible:ring-2 focus-visible:ring-focus data-[state=open]:bg-surface-sunken max-sm:size-touch max-sm:justify-center sm:pr-2"
        >
          <Avatar user={user} size="md" />
          <span className="hidden min-w-0 max-w-40 truncate font-medium text-fg sm:inline lg:max-w-56">{user.displayName}</span>
          <ChevronDownIcon aria-hidden className="hidden size-4 shrink-0 text-fg-subtle sm:block" />
      </DropdownMenu.Trigger>
      <MenuContent sideOffset={6} className="w-64 p-1.5">
          <div className="flex items-center gap-3 px-2.5 py-2">
            <Avatar user={user} size="lg" />
            <div className="min-w-0">
              <p className="truncate text-sm font-semibold text-fg">{user.displayName}</p>
              <p className="truncate text-xs text-fg-subtle">@{user.username}</p>
            </div>
          </div>
          <DropdownMenu.Separator className="my-1 h-px bg-line" />
          <DropdownMenu.Item asChild className={item}>
            <Link href="/settings#profile-heading">
              <UserCircleIcon aria-hidden className={itemIcon} />
              Profile
            </Link>
          </DropdownMenu.Item>
          <DropdownMenu.Item asChild className={item}>
            <Link href="/settings">
              <Cog6ToothIcon aria-hidden className={itemIcon} />
              Settings
            </Link>
          </DropdownMenu.Item>
          {isAdmin ? (
            <DropdownMenu.Item asChild className={item}>
              <Link href="/admin" data-testid="admin-link">
                <ShieldCheckIcon aria-hidden className={itemIcon} />
                Admin
              </Link>
            </DropdownMenu.Item>
          ) : null}
          <DropdownMenu.Separator className="my-1 h-px bg-line" />
          <DropdownMenu.Label id="account-menu-theme" className="px-2.5 pb-1 pt-1.5 text-xs font-semibold uppercase tracking-wide text-fg-subtle">
            Theme
          </DropdownMenu.Label>
          <DropdownMenu.RadioGroup aria-labelledby="account-menu-theme" value={theme} onValueChange={(value) => setTheme(parseTheme(value))}>
            {THEME_OPTIONS.map(({ value, label, Icon }) => (
              // Choosing a theme keeps the menu open, so the change can be seen and undone in place.
              <DropdownMenu.RadioItem key={value} value={value} onSelect={(event) => event.preventDefault()} className={item}>
                <Icon aria-hidden className={itemIcon} />
                <span className="flex-1">{label}</span>
                <DropdownMenu.ItemIndicator>
                  <span aria-hidden className="block size-2 rounded-full bg-accent" />
                </DropdownMenu.ItemIndicator>
              </DropdownMenu.RadioItem>
            ))}
          </DropdownMenu.RadioGroup>
          <DropdownMenu.Separator className="my-1 h-px bg-line" />
          <DropdownMenu.Item className={item} onSelect={() => startTransition(() => logoutAction())}>
            <ArrowRightStartOnRectangleIcon aria-hidden className={itemIcon} />
            Sign out
          </DropdownMenu.Item>
      </MenuContent>
    </DropdownMenu.Root>
  );
}

/** `isAdmin`: the user administers the instance (lib/data/instance-admin.ts): the account menu links to /admin. */
export function AppHeader({ user, leading, isAdmin = false }: { user: PublicUser; leading?: ReactNode; isAdmin?: boolean }) {
  return (
    <header className="flex h-14 shrink-0 items-center justify-between gap-2 border-b border-line bg-surface px-2 sm:gap-4 sm:px-4">
      <div className="flex shrink-0 items-center gap-1">
        {leading}
        <Link href="/" aria-label="Parley home" className="flex items-center rounded-control px-1 outline-none focus-visible:ring-2 focus-visible:ring-focus max-sm:min-h-touch">
          <Logo markOnly className="sm:hidden" />
          <Logo className="max-sm:hidden" />
        </Link>
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
