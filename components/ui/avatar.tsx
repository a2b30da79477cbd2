'use client';
/**
 * A person's picture, or their initials on their colour (./avatar-look.ts). Decorative by default: it sits
 * next to the name, which screen readers read; pass `label` where it stands alone. A picture that fails to
 * load (deleted meanwhile, offline) falls back to the initials.
 */
import { useState } from 'react';
import type { PublicUser } from '@/lib/schemas/user';
import { avatarColor, avatarUrl, initialsOf } from './avatar-look';

const SIZES = {
  xs: 'size-4 text-[0.5rem]',
  sm: 'size-5 text-[0.625rem]',
  md: 'size-7 text-xs',
  lg: 'size-9 text-sm',
  xl: 'size-24 text-3xl',
} as const;

export type AvatarSize = keyof typeof SIZES;

export function Avatar({
  user,
  size = 'md',
  label,
  className = '',
}: {
  user: Pick<PublicUser, 'id' | 'displayName' | 'avatar'>;
  size?: AvatarSize;
  /** Set when nothing next to it names the person. */
  label?: string;
  className?: string;
}) {
  const url = avatarUrl(user);
  const [failed, setFailed] = useState<string | null>(null);
  const picture = url !== null && failed !== url;
  const a11y = label ? { role: 'img', 'aria-label': label } : { 'aria-hidden': true };
  return (
    <span
      data-testid="avatar"
      data-user-id={user.id}
      data-kind={picture ? 'picture' : 'initials'}
      {...a11y}
      className={`inline-flex shrink-0 select-none items-center justify-center overflow-hidden rounded-full font-semibold leading-none text-white ${SIZES[size]} ${
        picture ? 'bg-surface-strong' : avatarColor(user.id).className
      } ${className}`}
    >
      {picture ? (
        // eslint-disable-next-line @next/next/no-img-element -- session-bound bytes, already 256 px
        <img src={url} alt="" draggable={false} decoding="async" className="size-full object-cover" onError={() => setFailed(url)} />
      ) : (
        initialsOf(user.displayName)
      )}
    </span>
  );
}
