'use client';
import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { ArrowRightStartOnRectangleIcon, Cog6ToothIcon, ShieldCheckIcon, UserCircleIcon } from '@heroicons/react/20/solid';
import Link from 'next/link';
import { startTransition, type ComponentType, type SVGProps } from 'react';
import { logoutAction } from '@/app/(auth)/actions';
import type { PublicUser } from '@/lib/schemas/user';
import { parseTheme } from '@/lib/theme';
import { AccountTriggerFace, accountTriggerProps } from './account-trigger';
import { Avatar } from './ui/avatar';
import { MenuContent } from './ui/menu';
import { THEME_OPTIONS, useTheme } from './ui/theme-toggle';

const item =
  'flex min-h-9 cursor-pointer select-none items-center gap-2.5 rounded-control px-2.5 text-sm text-fg outline-none data-[highlighted]:bg-surface-sunken max-sm:min-h-touch';
const itemIcon = 'size-4 shrink-0 text-fg-subtle';

/** A menu item that is a link (Radix keeps the keyboard handling; the link keeps middle-click and "open in new tab"). */
function LinkItem({ href, icon: Icon, label, testId }: { href: string; icon: ComponentType<SVGProps<SVGSVGElement>>; label: string; testId?: string }) {
  return (
    <DropdownMenu.Item asChild className={item}>
      <Link href={href} data-testid={testId}>
        <Icon aria-hidden className={itemIcon} />
        {label}
      </Link>
    </DropdownMenu.Item>
  );
}

/** The account menu: who I am, profile and settings, the theme, admin (for admins), signing out. */
export function AccountMenu({ user, isAdmin }: { user: PublicUser; isAdmin: boolean }) {
  const [theme, setTheme] = useTheme();
  return (
    <DropdownMenu.Root modal={false}>
      <DropdownMenu.Trigger {...accountTriggerProps(user)}>
        <AccountTriggerFace user={user} />
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
        <LinkItem href="/settings#profile-heading" icon={UserCircleIcon} label="Profile" />
        <LinkItem href="/settings" icon={Cog6ToothIcon} label="Settings" />
        {isAdmin ? <LinkItem href="/admin" icon={ShieldCheckIcon} label="Admin" testId="admin-link" /> : null}
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
