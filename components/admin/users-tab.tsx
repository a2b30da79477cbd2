'use client';
import * as Dialog from '@radix-ui/react-dialog';
import { useRef, useState } from 'react';
import type { AdminUserView } from '@/lib/schemas/admin';
import { adminApi } from './admin-api';
import { Badge, ConfirmButton, DateTime, ErrorNote, LoadMore, OneTimeSecret, SearchBox, ago, useOneActAtATime, primaryButtonClass } from './admin-ui';
import { usePagedList } from './use-paged-list';

function UserRow({
  user,
  meId,
  onDisable,
  onReset,
}: {
  user: AdminUserView;
  meId: string;
  onDisable(user: AdminUserView, disabled: boolean): void;
  onReset(user: AdminUserView, trigger: HTMLButtonElement | null): void;
}) {
  const me = user.id === meId;
  // The server refuses acts on instance admins (and on deleted accounts): offer none.
  const actionable = !user.isAdmin && !user.deletedAt;
  const name = `${user.displayName} (@${user.username})`;
  return (
    <li data-testid="admin-user" data-username={user.username} className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2 py-3">
      <div className="min-w-0 flex-1 basis-56">
        <p className="flex flex-wrap items-center gap-x-2 gap-y-1">
          <span className="break-words font-medium text-fg">{user.displayName}</span>
          <span className="break-all text-sm text-fg-subtle">@{user.username}</span>
          {me ? <Badge tone="brand">You</Badge> : null}
          {user.isAdmin ? <Badge tone="brand">Instance admin</Badge> : null}
          {user.deletedAt ? <Badge>Deleted</Badge> : user.disabledAt ? <Badge tone="danger">Disabled</Badge> : null}
        </p>
        <p className="mt-0.5 text-xs text-fg-muted">
          Joined <DateTime iso={user.createdAt} /> · {user.lastSeenAt ? `last seen ${ago(user.lastSeenAt)}` : 'never seen'} ·{' '}
          <span data-testid="admin-user-sessions">
            {user.sessions} open session{user.sessions === 1 ? '' : 's'}
          </span>
          {user.disabledAt && !user.deletedAt ? (
            <>
              {' '}
              · disabled <DateTime iso={user.disabledAt} />
            </>
          ) : null}
        </p>
      </div>
      {actionable ? (
        <div className="flex flex-wrap gap-2">
          {/* One element either way (same type, same place): focus stays on it as it turns from Disable to Enable. */}
          {user.disabledAt ? (
            <ConfirmButton
              label="Enable"
              srLabel={name}
              title={`Enable ${user.displayName}?`}
              description="They can sign in again with their password."
              confirmLabel="Enable"
              onConfirm={() => onDisable(user, false)}
              testId="enable-user"
            />
          ) : (
            <ConfirmButton
              label="Disable"
              srLabel={name}
              title={`Disable ${user.displayName}?`}
              description="They are signed out everywhere at once and cannot sign in until you enable the account again. Their messages stay."
              confirmLabel="Disable"
              danger
              onConfirm={() => onDisable(user, true)}
              testId="disable-user"
            />
          )}
          <ConfirmButton
            label="Reset password"
            srLabel={name}
            title={`Reset ${user.displayName}’s password?`}
            description="Their current password stops working and they are signed out everywhere. You will see the new password once, to pass on to them."
            confirmLabel="Reset password"
            danger
            onConfirm={(trigger) => onReset(user, trigger)}
            testId="reset-password"
          />
        </div>
      ) : null}
    </li>
  );
}

/** Everyone on the instance: search, status, disable/enable and password resets. */
export function UsersTab({ meId }: { meId: string }) {
  const [query, setQuery] = useState('');
  const q = query.trim();
  const list = usePagedList<AdminUserView>(q, async (cursor, signal) => {
    const page = await adminApi.users({ q, cursor }, signal);
    return { items: page.users, nextCursor: page.nextCursor };
  });
  const { act, error, notice, setNotice } = useOneActAtATime();
  const [reset, setReset] = useState<{ user: AdminUserView; password: string } | null>(null);
  // The password dialog has no trigger of its own: closing it returns to the row's "Reset password".
  const returnFocus = useRef<HTMLButtonElement | null>(null);


  const setDisabled = (user: AdminUserView, disabled: boolean) =>
    void act(async () => {
      const answer = await adminApi.setDisabled(user.id, disabled);
      list.replace(answer.user);
      setNotice(disabled ? `${user.displayName} is disabled and signed out everywhere.` : `${user.displayName} can sign in again.`);
    });

  const resetPassword = (user: AdminUserView, trigger: HTMLButtonElement | null) =>
    void act(async () => {
      returnFocus.current = trigger;
      const { password } = await adminApi.resetPassword(user.id);
      list.replace({ ...user, sessions: 0 });
      setReset({ user, password });
    });

  return (
    <div className="space-y-3">
      <SearchBox label="Search people" value={query} onChange={setQuery} placeholder="Username or display name" />
      <p aria-live="polite" className="text-sm text-fg-muted">
        {list.status === 'loading' ? 'Loading…' : list.status === 'ready' && list.items.length === 0 ? (q ? `Nobody matches “${q}”.` : 'Nobody here yet.') : ''}
      </p>
      <p role="status" className="text-sm text-success-fg empty:hidden">
        {notice ?? ''}
      </p>
      <ErrorNote message={list.error ?? error ?? list.moreError} />
      {list.items.length > 0 ? (
        <ul aria-label="People" className="divide-y divide-line border-y border-line">
          {list.items.map((user) => (
            <UserRow key={user.id} user={user} meId={meId} onDisable={setDisabled} onReset={resetPassword} />
          ))}
        </ul>
      ) : null}
      {list.hasMore ? <LoadMore loading={list.loadingMore} onClick={() => void list.loadMore()} /> : null}

      <Dialog.Root open={reset !== null} onOpenChange={(open) => !open && setReset(null)}>
        <Dialog.Portal>
          <Dialog.Overlay className="fixed inset-0 z-50 bg-slate-900/40" />
          <Dialog.Content
            onCloseAutoFocus={(event) => {
              if (!returnFocus.current?.isConnected) return;
              event.preventDefault();
              returnFocus.current.focus();
            }}
            className="fixed left-1/2 top-1/2 z-50 w-[min(28rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 rounded-lg bg-surface p-5 shadow-xl">
            <Dialog.Title className="text-base font-semibold text-fg">New password for {reset?.user.displayName}</Dialog.Title>
            <Dialog.Description className="mt-2 text-sm text-fg-muted">
              They were signed out everywhere. Give them this password over a channel you trust; they can change it in their account settings.
            </Dialog.Description>
            <div className="mt-3">
              {reset ? (
                <OneTimeSecret
                  label="New password"
                  value={reset.password}
                  note="Shown only now: once you close this, nobody can see it again."
                  testId="new-password"
                />
              ) : null}
            </div>
            <div className="mt-4 flex justify-end">
              <Dialog.Close className={primaryButtonClass}>Done</Dialog.Close>
            </div>
          </Dialog.Content>
        </Dialog.Portal>
      </Dialog.Root>
    </div>
  );
}
