/**
 * What the viewer may do in a room, read from docs/protocol.md §4.13's table. The server checks every rule;
 * the UI only hides what the table says the viewer cannot do, so both read the same table.
 */
import { hasRole, isConversation, roleRank } from '../schemas/limits';
import type { MemberRole, RoomKind } from '../schemas/room';

export interface RoomPowers {
  /** Name, description, topic, visibility, password, @room policy. */
  changeSettings: boolean;
  /** Kick, mute, unmute, ban and unban (lower roles), list bans. */
  moderate: boolean;
  /** Create invitation links and list them. */
  invite: boolean;
  /** Revoke anyone's invitation link (everyone who may invite revokes their own). */
  revokeAnyInvite: boolean;
  /** Add people directly. */
  addPeople: boolean;
  archive: boolean;
  transfer: boolean;
  deleteRoom: boolean;
  /** Delete anyone's message and system lines. */
  deleteAnyMessage: boolean;
  leave: boolean;
  /** Open the settings dialog at all (some tab of it is theirs). */
  openSettings: boolean;
}

const NONE: RoomPowers = {
  changeSettings: false,
  moderate: false,
  invite: false,
  revokeAnyInvite: false,
  addPeople: false,
  archive: false,
  transfer: false,
  deleteRoom: false,
  deleteAnyMessage: false,
  leave: false,
  openSettings: false,
};

/**
 * The viewer's powers in a room of `kind` with `role` (null: not a member). An archived room refuses every
 * write but leaving, deleting and restoring; `archive` stays true so it can be restored.
 */
export function roomPowers(room: { kind: RoomKind; role: MemberRole | null; archivedAt: string | null }): RoomPowers {
  const { kind, role } = room;
  if (role === null) return NONE;
  const archived = room.archivedAt !== null;
  if (kind === 'direct') return NONE;
  // Groups: members only, no roles; anyone may add people (up to the cap) and leave.
  if (kind === 'group') return { ...NONE, addPeople: true, leave: true };
  const moderator = hasRole(role, 'moderator');
  const admin = hasRole(role, 'admin');
  const owner = role === 'owner';
  return {
    changeSettings: admin && !archived,
    moderate: moderator && !archived,
    invite: moderator && !archived,
    revokeAnyInvite: admin,
    addPeople: !archived && (kind === 'public' || moderator),
    archive: admin,
    transfer: owner && !archived,
    deleteRoom: owner,
    deleteAnyMessage: moderator && !archived,
    leave: !owner,
    openSettings: moderator,
  };
}

export type AssignableRole = Exclude<MemberRole, 'owner'>;

/** Nobody acts on someone of an equal or higher role, nor on themselves through these routes. */
export function canActOn(viewer: MemberRole | null, target: MemberRole, isSelf: boolean): boolean {
  return !isSelf && roleRank(viewer) > roleRank(target);
}

/**
 * The roles the viewer may give a member of `target` role: admins make moderators and members of lower
 * roles; only the owner makes admins or changes an admin. Empty when they may not touch the member.
 */
export function assignableRoles(viewer: MemberRole | null, target: MemberRole, isSelf: boolean): AssignableRole[] {
  if (!canActOn(viewer, target, isSelf) || !hasRole(viewer, 'admin')) return [];
  const roles: AssignableRole[] = viewer === 'owner' ? ['admin', 'moderator', 'member'] : ['moderator', 'member'];
  return roles.filter((r) => r !== target);
}

/** Whether the viewer may moderate (kick, mute, ban) this member. */
export function canModerate(viewer: MemberRole | null, target: MemberRole, isSelf: boolean): boolean {
  return hasRole(viewer, 'moderator') && canActOn(viewer, target, isSelf);
}

/** Conversations (direct, group) have no @room policy, settings or roles to show. */
export function hasRoomSettings(kind: RoomKind): boolean {
  return !isConversation(kind);
}

/** Whether `mutedUntil` is still ahead of `now`. */
export function isMutedNow(mutedUntil: string | null, now: number): boolean {
  return mutedUntil !== null && Date.parse(mutedUntil) > now;
}
