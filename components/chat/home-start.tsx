'use client';
import { ChatBubbleLeftRightIcon, PlusCircleIcon, Squares2X2Icon } from '@heroicons/react/24/outline';
import Link from 'next/link';
import { useEffect, useRef, type ComponentType, type ReactNode, type SVGProps } from 'react';
import { useRooms } from './rooms-context';
import { PHONE_QUERY, useUiStore } from './ui-store';

const CREATE_SECTION = 'create-room';

function focusCreateForm(): void {
  const section = document.getElementById(CREATE_SECTION);
  section?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  section?.querySelector<HTMLInputElement>('input[name="name"]')?.focus({ preventScroll: true });
}

/** One of the empty state's ways in: an icon, a name, a line on what it does. */
function Action({ icon: Icon, title, children, ...target }: { icon: ComponentType<SVGProps<SVGSVGElement>>; title: string; children: ReactNode } & ({ href: string } | { onClick(): void })) {
  const body = (
    <>
      <Icon aria-hidden="true" className="size-6 shrink-0 text-link" />
      <span className="min-w-0">
        <span className="block font-medium text-fg">{title}</span>
        <span className="mt-0.5 block text-sm text-fg-muted">{children}</span>
      </span>
    </>
  );
  const className =
    'flex min-h-touch w-full items-start gap-3 rounded-card border border-line bg-surface p-4 text-left shadow-raised hover:border-line-strong hover:bg-surface-muted sm:flex-col';
  return 'href' in target ? (
    <Link href={target.href} className={className}>
      {body}
    </Link>
  ) : (
    <button type="button" onClick={target.onClick} className={className}>
      {body}
    </button>
  );
}

/**
 * Home's first block: for someone in no room and no conversation yet, what to do next (create a room,
 * browse the directory, message someone); for everyone else a short pointer to the sidebar.
 */
export function HomeStart() {
  const empty = useRooms((s) => s.mine.length === 0);
  const setDmPickerOpen = useUiStore((s) => s.setDmPickerOpen);
  const setSidebarOpen = useUiStore((s) => s.setSidebarOpen);
  const createRoomRequest = useUiStore((s) => s.createRoomRequest);

  // The sidebar's "New room" lands here (/#create-room), or asks again while already here.
  const firstRequest = useRef(createRoomRequest);
  useEffect(() => {
    if (createRoomRequest !== firstRequest.current || window.location.hash === `#${CREATE_SECTION}`) focusCreateForm();
  }, [createRoomRequest]);

  function messageSomeone() {
    setDmPickerOpen(true);
    // On phones the picker lives in the drawer.
    if (window.matchMedia(PHONE_QUERY).matches) setSidebarOpen(true);
  }

  if (!empty) {
    return (
      <p className="mt-2 text-fg-muted">
        Pick a room or a conversation from the list, or{' '}
        <Link href="/rooms" className="text-link underline underline-offset-2">
          find a room in the directory
        </Link>
        . Alt+↑ and Alt+↓ move between rooms.
      </p>
    );
  }
  return (
    <section aria-labelledby="home-empty-heading" data-testid="home-empty" className="mt-6">
      <h2 id="home-empty-heading" className="text-lg font-semibold">
        You are not in any rooms yet
      </h2>
      <p className="mt-1 text-fg-muted">Rooms are where conversations happen. Create one for your team, join one that exists, or message someone directly.</p>
      <ul className="mt-4 grid gap-3 sm:grid-cols-3">
        <li>
          <Action icon={PlusCircleIcon} title="Create a room" onClick={focusCreateForm}>
            Start a space for a team or a topic.
          </Action>
        </li>
        <li>
          <Action icon={Squares2X2Icon} title="Browse rooms" href="/rooms">
            Join a room someone already started.
          </Action>
        </li>
        <li>
          <Action icon={ChatBubbleLeftRightIcon} title="Message someone" onClick={messageSomeone}>
            A private conversation with one or a few people.
          </Action>
        </li>
      </ul>
    </section>
  );
}
