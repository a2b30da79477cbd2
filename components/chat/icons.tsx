import { Bars3Icon, HashtagIcon, LockClosedIcon, UsersIcon as HeroUsersIcon } from '@heroicons/react/20/solid';
import type { SVGProps } from 'react';

const base = { width: 16, height: 16, viewBox: '0 0 20 20', fill: 'currentColor', 'aria-hidden': true } as const;

/** Heroicons (20/solid) at the 16 px the sidebar, header and directory use; decorative unless a label is passed. */
function sized(Icon: typeof LockClosedIcon) {
  return function SizedIcon(props: SVGProps<SVGSVGElement>) {
    return <Icon width={16} height={16} aria-hidden {...props} />;
  };
}

export const LockIcon = sized(LockClosedIcon);
export const HashIcon = sized(HashtagIcon);
export const MenuIcon = sized(Bars3Icon);
export const UsersIcon = sized(HeroUsersIcon);

/** Heroicons' microphone, struck through (muted): Heroicons has no slashed microphone of its own. */
export function MicrophoneSlashIcon(props: SVGProps<SVGSVGElement>) {
  return (
    <svg {...base} {...props}>
      <path d="M7 4a3 3 0 0 1 6 0v6a3 3 0 1 1-6 0V4Z" />
      <path d="M5.5 9.643a.75.75 0 0 0-1.5 0V10c0 3.06 2.29 5.585 5.25 5.954V17.5h-1.5a.75.75 0 0 0 0 1.5h4.5a.75.75 0 0 0 0-1.5h-1.5v-1.546A6.001 6.001 0 0 0 16 10v-.357a.75.75 0 0 0-1.5 0V10a4.5 4.5 0 0 1-9 0v-.357Z" />
      <path d="M2.22 2.22a.75.75 0 0 1 1.06 0l14.5 14.5a.75.75 0 1 1-1.06 1.06L2.22 3.28a.75.75 0 0 1 0-1.06Z" />
    </svg>
  );
}
