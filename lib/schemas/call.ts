/**
 * Voice and video calls: the wire shapes of a call, its signaling payloads and the entry it leaves in the
 * conversation (docs/protocol.md §4.12). Media flows peer to peer; the server only relays offers, answers
 * and ICE candidates between the participants' tabs, and keeps the call's state (lib/calls/state.ts).
 */
import { z } from 'zod';
import { CALL_MAX_PARTICIPANTS } from './limits';
import type { PublicUser } from './user';
import { roomIdSchema } from './room';
import { plainText } from './text';

// Defined zod-free in ./limits (the browser imports them from there).
export { CALL_MAX_PARTICIPANTS, CALL_RING_MS } from './limits';
/** How long a participant whose tab lost its connection keeps their place (to resume from a new connection). */
export const CALL_RECONNECT_GRACE_MS = 10_000;

export const CALL_KINDS = ['audio', 'video'] as const;
export type CallKind = (typeof CALL_KINDS)[number];

export const CALL_STATES = ['ringing', 'active', 'ended'] as const;
export type CallState = (typeof CALL_STATES)[number];

/**
 * Why a call ended (and what its entry in the conversation says):
 * - `completed`  someone answered; it ended when the last but one participant left;
 * - `cancelled`  the caller hung up (or lost their connection) before anyone answered;
 * - `declined`   every person rung declined;
 * - `missed`     nobody answered within CALL_RING_MS;
 * - `busy`       everyone who could be rung was already in another call;
 * - `unavailable` nobody who was called had Parley open (no connected tab).
 */
export const CALL_END_REASONS = ['completed', 'cancelled', 'declined', 'missed', 'busy', 'unavailable'] as const;
export type CallEndReason = (typeof CALL_END_REASONS)[number];

/**
 * One person's part in a call:
 * `invited` (ringing) → `joined` | `declined` | `missed` (did not answer in time, or was offline);
 * `busy` (in another call when rung); `joined` → `left`.
 */
export const PARTICIPANT_STATES = ['invited', 'joined', 'declined', 'missed', 'busy', 'left'] as const;
export type ParticipantState = (typeof PARTICIPANT_STATES)[number];

export interface CallMedia {
  /** Sending sound (not muted). */
  audio: boolean;
  /** Sending camera video. */
  video: boolean;
  /** Sharing their screen. */
  screen: boolean;
}

export interface CallParticipant {
  user: PublicUser;
  state: ParticipantState;
  joinedAt: string | null;
  leftAt: string | null;
  /** Joined, and their tab's connection dropped: they have CALL_RECONNECT_GRACE_MS to resume. */
  reconnecting: boolean;
  /** What they say they send (call:media); all false unless joined. */
  media: CallMedia;
}

export interface CallInfo {
  id: string;
  roomId: string;
  kind: CallKind;
  caller: PublicUser;
  state: CallState;
  createdAt: string;
  /** Until when the people who have not answered are rung. */
  ringUntil: string;
  /** When the first person answered; null until then. */
  answeredAt: string | null;
  endedAt: string | null;
  endReason: CallEndReason | null;
  /** The caller first, then the people called, in the order they were added. */
  participants: CallParticipant[];
}

/** ICE servers for RTCPeerConnection, TURN credentials included (short-lived, for this user only). */
export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

/** What call:start, call:accept and call:resume answer: the call, and how to reach the others. */
export interface CallJoined {
  call: CallInfo;
  iceServers: IceServer[];
}

/** A call's trace in its conversation (ChatMessage.call), written once when the call ends. */
export interface CallEntry {
  callId: string;
  kind: CallKind;
  outcome: CallEndReason;
  /** `completed`: from the first answer to the end; null otherwise. */
  durationMs: number | null;
  /** Who took part (joined at some point), caller first. */
  participantIds: string[];
}

// ── Payloads ──

const callIdSchema = z.uuid({ error: 'callId must be a call id.' }).toLowerCase();

export const startCallSchema = z.strictObject({
  roomId: roomIdSchema,
  kind: z.enum(CALL_KINDS, { error: "kind must be 'audio' or 'video'." }),
  /**
   * Rooms other than direct conversations: whom to ring (other members, at most CALL_MAX_PARTICIPANTS − 1).
   * Left out: every other member, when they fit. Direct conversations ring the other person; must be left out.
   */
  invite: z
    .array(z.uuid({ error: 'invite must list user ids.' }).toLowerCase(), { error: 'invite must be a list of user ids.' })
    .min(1, 'invite must name at least one person.')
    .max(CALL_MAX_PARTICIPANTS - 1, `A call has at most ${CALL_MAX_PARTICIPANTS} people: invite at most ${CALL_MAX_PARTICIPANTS - 1}.`)
    .optional(),
});
export type StartCallInput = z.input<typeof startCallSchema>;

export const callIdPayloadSchema = z.strictObject({ callId: callIdSchema });
export type CallIdInput = z.input<typeof callIdPayloadSchema>;

export const callMediaSchema = z.strictObject({
  callId: callIdSchema,
  audio: z.boolean({ error: 'audio must be true or false.' }),
  video: z.boolean({ error: 'video must be true or false.' }),
  screen: z.boolean({ error: 'screen must be true or false.' }),
});
export type CallMediaInput = z.input<typeof callMediaSchema>;

/** Longest SDP relayed (a 4-way video call's offer is ~6 KB; the socket packet limit is 64 KiB). */
export const SDP_MAX_CHARS = 32_000;

/** SDP is line-based (CRLF): line breaks and tabs are its only control characters. */
const sdpSchema = plainText(
  z.string({ error: 'sdp must be a string.' }).min(1, 'sdp must not be empty.').max(SDP_MAX_CHARS, `sdp must be at most ${SDP_MAX_CHARS} characters.`),
  { kind: 'multi-line', label: 'sdp' },
).refine((sdp) => sdp.startsWith('v=0'), 'sdp must be a session description (starting with v=0).');

const candidateSchema = z.strictObject({
  candidate: plainText(z.string({ error: 'candidate must be a string.' }).max(1024, 'candidate must be at most 1024 characters.'), {
    label: 'candidate',
  }),
  sdpMid: plainText(z.string().max(64, 'sdpMid must be at most 64 characters.'), { label: 'sdpMid' }).nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(255).nullable().optional(),
  usernameFragment: plainText(z.string().max(256, 'usernameFragment must be at most 256 characters.'), { label: 'usernameFragment' })
    .nullable()
    .optional(),
});

export const callSignalSchema = z
  .strictObject({
    callId: callIdSchema,
    /** The participant to relay to (a user id: each participant takes part from one tab). */
    to: z.uuid({ error: 'to must be a user id.' }).toLowerCase(),
    description: z.strictObject({ type: z.enum(['offer', 'answer'], { error: "description.type must be 'offer' or 'answer'." }), sdp: sdpSchema }).optional(),
    /** A trickled ICE candidate; null: the sender has no more (end of candidates). */
    candidate: candidateSchema.nullable().optional(),
  })
  .refine((signal) => (signal.description === undefined) !== (signal.candidate === undefined), {
    message: 'A signal carries exactly one of description and candidate.',
    path: [],
  });
export type CallSignalInput = z.input<typeof callSignalSchema>;
export type CallSignal = z.output<typeof callSignalSchema>;

/** What the other participant receives (call:signal S→C). */
export interface RelayedSignal {
  callId: string;
  from: string;
  description?: { type: 'offer' | 'answer'; sdp: string };
  candidate?: z.output<typeof candidateSchema> | null;
}

/** POST /api/calls/:callId/hangup (the page-unload beacon): the path's id. */
export const callIdParamSchema = callIdSchema;
