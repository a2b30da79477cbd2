'use client';
/**
 * "Add people": choose people and add them to this room or group directly, no password or link needed
 * (docs/protocol.md §4.13 "Adding people"; a group holds at most 9). All of them or nobody: a refusal
 * names the person it is about.
 */
import { HEADER_ACTION } from '@/components/ui/button';
import { UserPlusIcon, XMarkIcon } from '@heroicons/react/20/solid';
import * as Dialog from '@radix-ui/react-dialog';
import { useMemo, useState } from 'react';
import { ApiError } from '@/lib/api-client';
import { membersApi } from '@/lib/community/api';
import { listNames } from '@/lib/community/describe';
import { ADD_MEMBERS_MAX, GROUP_MAX_MEMBERS } from '@/lib/schemas/limits';
import type { PublicUser } from '@/lib/schemas/user';
import { PeoplePicker } from './people-picker';
import { useRoom } from './room-context';

/** The refusal in words, naming the person an issue (`userIds.<index>`) points at. */
function refusal(caught: unknown, chosen: PublicUser[]): string {
  if (!(caught instanceof ApiError)) return 'Could not add them. Try again.';
  const issue = caught.body.issues?.[0];
  const index = issue ? Number(/^userIds\.(\d+)$/.exec(issue.path)?.[1]) : NaN;
  const who = Number.isInteger(index) ? chosen[index] : undefined;
  return who ? `${who.displayName}: ${issue!.message}` : caught.message;
}

export function AddPeopleButton() {
  const room = useRoom((s) => s.room);
  const members = useRoom((s) => s.members);
  const [open, setOpen] = useState(false);
  const [chosen, setChosen] = useState<PublicUser[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const present = useMemo(() => new Set(members.map((m) => m.user.id)), [members]);
  const isGroup = room.kind === 'group';
  const max = isGroup ? Math.max(0, GROUP_MAX_MEMBERS - Math.max(room.memberCount, members.length)) : ADD_MEMBERS_MAX;

  function reset(next: boolean) {
    setOpen(next);
    if (!next) {
      setChosen([]);
      setError(null);
      setAdded(null);
    }
  }

  async function add() {
    setBusy(true);
    setError(null);
    setAdded(null);
    try {
      const answer = await membersApi.add(room.id, chosen.map((u) => u.id));
      setChosen([]);
      setAdded(answer.added.length ? `Added ${listNames(answer.added.map((u) => u.displayName))}.` : 'They were all here already.');
    } catch (caught) {
      setError(refusal(caught, chosen));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog.Root open={open} onOpenChange={reset}>
      <Dialog.Trigger
        data-testid="add-people-button"
        aria-label="Add people"
        title="Add people"
        className={HEADER_ACTION}
      >
        <UserPlusIcon aria-hidden="true" className="size-4 text-fg-muted" />
        <span className="hidden lg:inline">Add</span>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-50 bg-slate-900/40" />
        <Dialog.Content
          data-testid="add-people"
          className="fixed inset-x-2 top-[8vh] z-50 mx-auto flex max-h-[84vh] max-w-md flex-col rounded-xl border border-line bg-surface shadow-2xl outline-none"
        >
          <div className="flex items-center gap-2 border-b border-line px-4 py-3">
            <Dialog.Title className="min-w-0 flex-1 truncate text-base font-semibold text-fg">Add people</Dialog.Title>
            <Dialog.Close
              aria-label="Close"
              className="flex size-8 items-center justify-center rounded text-fg-muted hover:bg-surface-sunken focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus"
            >
              <XMarkIcon aria-hidden="true" className="size-5" />
            </Dialog.Close>
          </div>
          <div className="min-h-0 flex-1 overflow-y-auto p-4">
            <Dialog.Description className="mb-3 text-sm text-fg-muted">
              {isGroup
                ? `They join this conversation and see its history. A group holds up to ${GROUP_MAX_MEMBERS} people${max > 0 ? `: room for ${max} more.` : ', and this one is full.'}`
                : 'They join this room at once, no password or invitation needed, and see its history.'}
            </Dialog.Description>
            {max > 0 ? <PeoplePicker label="Find people to add" selected={chosen} onChange={setChosen} max={max} exclude={present} /> : null}
            {error ? (
              <p role="alert" data-testid="add-people-error" className="mt-3 rounded-md bg-danger-soft px-3 py-2 text-sm text-danger-fg">
                {error}
              </p>
            ) : null}
            <p role="status" data-testid="add-people-done" className={added ? 'mt-3 rounded-md bg-success-soft px-3 py-2 text-sm text-success-fg' : 'sr-only'}>
              {added ?? ''}
            </p>
          </div>
          <div className="flex justify-end gap-2 border-t border-line px-4 py-3">
            <Dialog.Close className="rounded-md border border-line-strong bg-surface px-3 py-1.5 text-sm font-medium text-fg-muted hover:bg-surface-muted focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus">
              Done
            </Dialog.Close>
            <button
              type="button"
              data-testid="add-people-submit"
              disabled={chosen.length === 0 || busy}
              onClick={() => void add()}
              className="rounded-md bg-accent px-3 py-1.5 text-sm font-medium text-white hover:bg-accent-hover focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus focus-visible:ring-offset-2 disabled:opacity-60"
            >
              {busy ? 'Adding…' : chosen.length > 1 ? `Add ${chosen.length} people` : 'Add'}
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
