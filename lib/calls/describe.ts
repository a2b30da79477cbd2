/**
 * How calls read to people, pure (browser and server): a call entry in the timeline (it depends on who
 * looks: the caller or someone else, docs/protocol.md §4.12 "The entry"), the one line that stands for an
 * entry where only a snippet fits (sidebars, notifications, quotes, search hits), how a call that did not
 * happen ended, and durations ("3 min 12 s").
 */
import type { CallEndReason, CallEntry, CallInfo, CallKind } from '../schemas/call';

/** "12 s", "3 min 12 s", "1 h 4 min" (whole seconds, rounded down; the seconds go once there are hours). */
export function formatCallDuration(ms: number): string {
  const total = Math.max(0, Math.floor((Number.isFinite(ms) ? ms : 0) / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  if (minutes > 0) return seconds > 0 ? `${minutes} min ${seconds} s` : `${minutes} min`;
  return `${seconds} s`;
}

/** The running timer of a call on screen: "0:07", "12:34", "1:02:03". */
export function formatCallClock(ms: number): string {
  const total = Math.max(0, Math.floor((Number.isFinite(ms) ? ms : 0) / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** "Video call", "Voice call". */
export function callKindLabel(kind: CallKind): string {
  return kind === 'video' ? 'Video call' : 'Voice call';
}

export interface EntryViewer {
  /** I placed the call (the entry's author). */
  isCaller: boolean;
  /** Who was called, when one person was (a direct conversation): their name for the caller's wording. */
  calleeName?: string;
}

/**
 * The entry's text as this viewer reads it:
 * completed "Video call · 3 min 12 s"; missed "Missed video call" (the caller: "No answer"); declined
 * "Call declined"; cancelled "Missed call" (the caller: "Cancelled call"); busy "Missed call" (the caller:
 * "Ann was in another call"); unavailable "Missed call" (the caller: "Ann was not available").
 */
export function callEntryText(entry: Pick<CallEntry, 'kind' | 'outcome' | 'durationMs'>, viewer: EntryViewer): string {
  const label = callKindLabel(entry.kind);
  switch (entry.outcome) {
    case 'completed':
      return entry.durationMs === null ? label : `${label} · ${formatCallDuration(entry.durationMs)}`;
    case 'missed':
      return viewer.isCaller ? 'No answer' : `Missed ${label.toLowerCase()}`;
    case 'declined':
      return 'Call declined';
    case 'cancelled':
      return viewer.isCaller ? 'Cancelled call' : 'Missed call';
    case 'busy':
      if (!viewer.isCaller) return 'Missed call';
      return viewer.calleeName ? `${viewer.calleeName} was in another call` : 'Everyone you called was in another call';
    case 'unavailable':
      if (!viewer.isCaller) return 'Missed call';
      return viewer.calleeName ? `${viewer.calleeName} was not available` : 'Nobody you called was available';
  }
}

/** An entry that reads as a missed call to someone other than the caller (red icon, notification wording). */
export function isMissedFor(outcome: CallEndReason, isCaller: boolean): boolean {
  return !isCaller && outcome !== 'completed' && outcome !== 'declined';
}

/**
 * A call entry as one line where a message is shown as a snippet (notifications, quotes, sidebars, search
 * hits): the wording of someone who was called, after a 📞, e.g. "📞 Missed video call", "📞 Video call · 3 min".
 * A quote carries no duration: "📞 Video call".
 */
export function callSnippet(call: Pick<CallEntry, 'kind' | 'outcome'> & { durationMs?: number | null }): string {
  return `📞 ${callEntryText({ kind: call.kind, outcome: call.outcome, durationMs: call.durationMs ?? null }, { isCaller: false })}`;
}

/**
 * How a call I placed or was in ended, for the notice shown when it ends (both sides):
 * "Call declined", "Ann is in another call", "No answer", "Ann is not available", "Call cancelled",
 * "Call ended · 3 min 12 s". Null for a call that has not ended.
 */
export function callOutcomeText(call: Pick<CallInfo, 'state' | 'endReason' | 'answeredAt' | 'endedAt' | 'caller'>, viewer: EntryViewer): string | null {
  if (call.state !== 'ended' || call.endReason === null) return null;
  switch (call.endReason) {
    case 'completed': {
      const ms = call.answeredAt && call.endedAt ? Date.parse(call.endedAt) - Date.parse(call.answeredAt) : null;
      return ms === null ? 'Call ended' : `Call ended · ${formatCallDuration(ms)}`;
    }
    case 'declined':
      return 'Call declined';
    case 'busy':
      return viewer.isCaller ? (viewer.calleeName ? `${viewer.calleeName} is in another call` : 'Everyone you called is in another call') : 'Missed call';
    case 'missed':
      return viewer.isCaller ? 'No answer' : `Missed call from ${call.caller.displayName}`;
    case 'unavailable':
      return viewer.isCaller ? (viewer.calleeName ? `${viewer.calleeName} is not available` : 'Nobody you called is available') : 'Missed call';
    case 'cancelled':
      return viewer.isCaller ? 'Call cancelled' : `${call.caller.displayName} cancelled the call`;
  }
}
