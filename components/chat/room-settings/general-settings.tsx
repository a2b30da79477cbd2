'use client';
/** Settings every member sees the effect of: name, topic, description, who can join, password, @room. */
import { useId, useState, type FormEvent } from 'react';
import { roomSettingsApi } from '@/lib/community/api';
import { updateRoomSchema, type RoomMentionsPolicy, type RoomSummary, type UpdateRoomInput } from '@/lib/schemas/room';
import { useRoomStoreApi } from '../room-context';
import { useRoomsStore } from '../rooms-context';
import { buttonClass, fieldIssues, errorText, inputClass, SectionTitle, StatusLine } from './controls';

type FieldKey = 'name' | 'topic' | 'description' | 'kind' | 'password' | 'roomMentions';

function FieldNote({ id, error, hint }: { id: string; error?: string; hint?: string }) {
  if (error) {
    return (
      <p id={id} role="alert" className="mt-1 text-sm text-danger-fg">
        {error}
      </p>
    );
  }
  return hint ? (
    <p id={id} className="mt-1 text-xs text-fg-muted">
      {hint}
    </p>
  ) : null;
}

export function GeneralSettings({ room }: { room: RoomSummary }) {
  const roomStore = useRoomStoreApi();
  const rooms = useRoomsStore();
  const ids = useId();
  const id = (key: string) => `${ids}-${key}`;
  const [name, setName] = useState(room.name);
  const [topic, setTopic] = useState(room.topic);
  const [description, setDescription] = useState(room.description);
  const [kind, setKind] = useState<'public' | 'private'>(room.kind === 'private' ? 'private' : 'public');
  const [password, setPassword] = useState('');
  const [removePassword, setRemovePassword] = useState(false);
  const [roomMentions, setRoomMentions] = useState<RoomMentionsPolicy>(room.roomMentions);
  const [errors, setErrors] = useState<Partial<Record<FieldKey | 'form', string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const archived = room.archivedAt !== null;

  /** Only what changed goes to the server (and only that leaves a line in the room). */
  function changes(): UpdateRoomInput {
    const out: UpdateRoomInput = {};
    if (name.trim() !== room.name) out.name = name;
    if (topic.trim() !== room.topic) out.topic = topic;
    if (description.trim() !== room.description) out.description = description;
    if (kind !== room.kind) out.kind = kind;
    if (kind === 'private' && password) out.password = password;
    else if (kind === 'private' && removePassword && room.hasPassword) out.password = null;
    if (roomMentions !== room.roomMentions) out.roomMentions = roomMentions;
    return out;
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    setDone(null);
    const input = changes();
    if (Object.keys(input).length === 0) {
      setErrors({});
      setDone('Nothing changed.');
      return;
    }
    const parsed = updateRoomSchema.safeParse(input);
    if (!parsed.success) {
      const found: Record<string, string> = {};
      for (const issue of parsed.error.issues) found[String(issue.path[0] ?? 'form')] ??= issue.message;
      setErrors(found);
      return;
    }
    setErrors({});
    setSaving(true);
    try {
      const { room: answer } = await roomSettingsApi.update(room.id, input);
      roomStore.getState().applyRoom(answer);
      rooms.getState().settings(answer);
      setPassword('');
      setRemovePassword(false);
      setDone('Saved.');
    } catch (caught) {
      const issues = fieldIssues(caught);
      if (Object.keys(issues).length > 0) setErrors(issues);
      else setError(errorText(caught));
    } finally {
      setSaving(false);
    }
  }

  const describedBy = (key: FieldKey, hint: boolean) => (errors[key] || hint ? `${id(key)}-note` : undefined);
  const border = (key: FieldKey) => (errors[key] ? 'border-danger' : 'border-line-strong');

  return (
    <form onSubmit={onSubmit} noValidate data-testid="general-settings" className="space-y-4">
      <SectionTitle title="General" hint="Changes show to everyone in the room at once, with a line in the conversation." />
      {archived ? (
        <p className="rounded-md bg-warning-soft px-3 py-2 text-sm text-warning-fg">This room is archived. Restore it (Danger zone) to change its settings.</p>
      ) : null}
      <fieldset disabled={archived || saving} className="space-y-4">
        <div>
          <label htmlFor={id('name')} className="mb-1 block text-sm font-medium text-fg-muted">
            Room name
          </label>
          <input
            id={id('name')}
            value={name}
            maxLength={64}
            autoComplete="off"
            onChange={(e) => setName(e.target.value)}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={describedBy('name', true)}
            className={`${inputClass} ${border('name')}`}
          />
          <FieldNote id={`${id('name')}-note`} error={errors.name} hint="2–64 characters, unique on this server." />
        </div>
        <div>
          <label htmlFor={id('topic')} className="mb-1 block text-sm font-medium text-fg-muted">
            Topic <span className="font-normal text-fg-muted">(optional)</span>
          </label>
          <input
            id={id('topic')}
            value={topic}
            maxLength={250}
            autoComplete="off"
            onChange={(e) => setTopic(e.target.value)}
            aria-invalid={errors.topic ? true : undefined}
            aria-describedby={describedBy('topic', true)}
            className={`${inputClass} ${border('topic')}`}
          />
          <FieldNote id={`${id('topic')}-note`} error={errors.topic} hint="A short line shown under the room's name." />
        </div>
        <div>
          <label htmlFor={id('description')} className="mb-1 block text-sm font-medium text-fg-muted">
            Description <span className="font-normal text-fg-muted">(optional)</span>
          </label>
          <textarea
            id={id('description')}
            value={description}
            rows={3}
            maxLength={500}
            onChange={(e) => setDescription(e.target.value)}
            aria-invalid={errors.description ? true : undefined}
            aria-describedby={describedBy('description', false)}
            className={`${inputClass} ${border('description')}`}
          />
          <FieldNote id={`${id('description')}-note`} error={errors.description} />
        </div>
        <fieldset>
          <legend className="mb-1 text-sm font-medium text-fg-muted">Who can join</legend>
          <div className="flex flex-col gap-2 sm:flex-row sm:gap-6">
            {(['public', 'private'] as const).map((value) => (
              <label key={value} className="flex items-start gap-2 text-sm">
                <input type="radio" name={id('kind')} value={value} checked={kind === value} onChange={() => setKind(value)} className="mt-0.5" />
                <span>
                  <span className="font-medium">{value === 'public' ? 'Public' : 'Private'}</span>
                  <span className="block text-fg-muted">
                    {value === 'public' ? 'Anyone signed in; listed in the directory' : 'With the password, an invitation, or added by a moderator'}
                  </span>
                </span>
              </label>
            ))}
          </div>
          <FieldNote id={`${id('kind')}-note`} error={errors.kind} />
        </fieldset>
        {kind === 'private' ? (
          <div className="rounded-md border border-line p-3">
            <p className="text-sm text-fg-muted" data-testid="password-state">
              {room.kind === 'private' && room.hasPassword
                ? 'This room has a password.'
                : 'No password: people get in only by being added or with an invitation link.'}
            </p>
            <label htmlFor={id('password')} className="mb-1 mt-3 block text-sm font-medium text-fg-muted">
              {room.kind === 'private' && room.hasPassword ? 'New password' : 'Set a password'} <span className="font-normal text-fg-muted">(optional)</span>
            </label>
            <input
              id={id('password')}
              type="password"
              autoComplete="new-password"
              value={password}
              disabled={removePassword}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={errors.password ? true : undefined}
              aria-describedby={describedBy('password', true)}
              className={`${inputClass} ${border('password')}`}
            />
            <FieldNote id={`${id('password')}-note`} error={errors.password} hint="At least 4 characters. Leave empty to keep things as they are." />
            {room.kind === 'private' && room.hasPassword ? (
              <label className="mt-2 flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  checked={removePassword}
                  onChange={(e) => {
                    setRemovePassword(e.target.checked);
                    if (e.target.checked) setPassword('');
                  }}
                />
                Remove the password (invitations only)
              </label>
            ) : null}
          </div>
        ) : room.kind === 'private' && room.hasPassword ? (
          <p className="text-xs text-fg-muted">Making the room public removes its password.</p>
        ) : null}
        <fieldset>
          <legend className="mb-1 text-sm font-medium text-fg-muted">Who can notify everyone with @room</legend>
          <div className="flex flex-col gap-2 sm:flex-row sm:gap-6">
            {(
              [
                ['anyone', 'Anyone in the room'],
                ['owner', 'The owner and admins'],
              ] as const
            ).map(([value, label]) => (
              <label key={value} className="flex items-center gap-2 text-sm">
                <input type="radio" name={id('mentions')} value={value} checked={roomMentions === value} onChange={() => setRoomMentions(value)} />
                {label}
              </label>
            ))}
          </div>
          <FieldNote id={`${id('roomMentions')}-note`} error={errors.roomMentions} />
        </fieldset>
      </fieldset>
      <StatusLine error={error ?? errors.form ?? null} done={done} />
      <div className="flex justify-end">
        <button type="submit" disabled={archived || saving} data-testid="save-settings" className={buttonClass.primary}>
          {saving ? 'Saving…' : 'Save changes'}
        </button>
      </div>
    </form>
  );
}
