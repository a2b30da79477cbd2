'use client';
/**
 * How far a message got. Rooms and groups: the avatars of the members whose read position is this message
 * (each reader once, on the newest loaded message they have read — lib/stores/receipts.ts). Direct
 * messages: WhatsApp-style ticks beside the time of each of my messages.
 */
import { CheckIcon } from '@heroicons/react/16/solid';
import type { ChatMessage } from '@/lib/schemas/message';
import type { RoomMember } from '@/lib/schemas/room';
import type { PublicUser } from '@/lib/schemas/user';
import { readersByMessage, seenByLabel, type Receipts, type TickState } from '@/lib/stores/receipts';
import { Avatar } from '@/components/ui/avatar';

/** What a row shows of its receipts. Objects are shared across renders, so memoized rows skip re-rendering. */
export type RowReceipt = { kind: 'ticks'; state: TickState } | { kind: 'readers'; users: readonly PublicUser[]; label: string } | null;

const TICKS: Record<TickState, RowReceipt> = {
  sent: { kind: 'ticks', state: 'sent' },
  delivered: { kind: 'ticks', state: 'delivered' },
  read: { kind: 'ticks', state: 'read' },
};

/** The (shared) receipt of one of my direct messages in this state. */
export function ticksReceipt(state: TickState): RowReceipt {
  return TICKS[state];
}

let last: { receipts: Receipts; members: readonly RoomMember[]; messages: readonly ChatMessage[]; meId: string; hasNewer: boolean; result: Map<number, RowReceipt> } | null =
  null;

/**
 * Each row's readers, by seq. Called once per row per render: remembers its last answer and reuses it (and its
 * objects) while the receipts, members and loaded messages are the same.
 */
export function readerReceipts(receipts: Receipts, members: readonly RoomMember[], messages: readonly ChatMessage[], meId: string, hasNewer: boolean): Map<number, RowReceipt> {
  if (last && last.receipts === receipts && last.members === members && last.messages === messages && last.meId === meId && last.hasNewer === hasNewer) return last.result;
  const seqs = messages.map((m) => m.seq);
  const placed = readersByMessage(receipts, members, seqs, meId, { hasNewer });
  const previous = last?.result;
  const result = new Map<number, RowReceipt>();
  for (const [seq, users] of placed) {
    const label = seenByLabel(users.map((u) => u.displayName));
    const held = previous?.get(seq);
    // Same readers as before: keep the old object (the row is memoized on it).
    const same = held?.kind === 'readers' && held.users.length === users.length && held.users.every((u, i) => u.id === users[i]?.id && u.avatar === users[i]?.avatar);
    result.set(seq, same ? held : { kind: 'readers', users, label });
  }
  last = { receipts, members, messages, meId, hasNewer, result };
  return result;
}

const TICK_LABEL: Record<TickState, string> = { sent: 'Sent', delivered: 'Delivered', read: 'Read' };

/** ✓ stored, ✓✓ reached the peer's device, ✓✓ in the link colour once read. */
export function Ticks({ state }: { state: TickState }) {
  return (
    <span
      data-testid="message-ticks"
      data-state={state}
      role="img"
      aria-label={TICK_LABEL[state]}
      title={TICK_LABEL[state]}
      className={`inline-flex shrink-0 items-center align-middle ${state === 'read' ? 'text-link' : 'text-fg-subtle'}`}
    >
      <CheckIcon className="size-3.5" aria-hidden="true" />
      {state === 'sent' ? null : <CheckIcon className="-ml-2 size-3.5" aria-hidden="true" />}
    </span>
  );
}

const MAX_AVATARS = 5;

/** Small overlapping avatars of who has read up to here; "+N" past five. */
export function ReadReceipts({ users, label }: { users: readonly PublicUser[]; label: string }) {
  const shown = users.slice(0, MAX_AVATARS);
  const more = users.length - shown.length;
  return (
    <span data-testid="read-receipts" data-count={users.length} role="img" aria-label={label} title={label} className="flex items-center -space-x-1">
      {shown.map((u) => (
        <Avatar key={u.id} user={u} size="xs" className="ring-2 ring-surface" />
      ))}
      {more > 0 ? (
        <span aria-hidden="true" className="z-0 pl-1.5 text-[0.6875rem] font-medium tabular-nums text-fg-muted">
          +{more}
        </span>
      ) : null}
    </span>
  );
}
