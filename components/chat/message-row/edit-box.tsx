'use client';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { ChatMessage } from '@/lib/schemas/message';
import { useRoom } from '../room-context';

/** Editing in place: Enter saves, Shift+Enter is a new line, Escape cancels. */
export function EditBox({ message }: { message: ChatMessage }) {
  const edit = useRoom((s) => s.edit);
  const startEditing = useRoom((s) => s.startEditing);
  const [text, setText] = useState(message.body);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    const el = area.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);

  async function save() {
    if (saving) return;
    setSaving(true);
    const result = await edit(message.seq, text);
    setSaving(false);
    if (result.ok) startEditing(null);
    else setError(result.message);
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Escape') {
      event.preventDefault();
      startEditing(null);
    } else if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void save();
    }
  }

  return (
    <div className="py-1">
      <label htmlFor={`edit-${message.seq}`} className="sr-only">
        Edit message
      </label>
      <textarea
        id={`edit-${message.seq}`}
        ref={area}
        data-testid="edit-input"
        value={text}
        rows={Math.min(8, Math.max(1, text.split('\n').length))}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        className="w-full resize-none rounded-control border border-line-strong bg-surface px-3 py-2 text-body text-fg focus:border-accent focus:outline-none focus:ring-2 focus:ring-focus/30"
      />
      <div className="mt-1 flex flex-wrap items-center gap-2 text-xs">
        <span className="text-fg-muted">Escape to cancel · Enter to save</span>
        <button type="button" onClick={() => startEditing(null)} className="min-h-touch rounded-control px-2 text-fg-muted hover:bg-surface-sunken focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus sm:min-h-7">
          Cancel
        </button>
        <button type="button" onClick={() => void save()} disabled={saving} className="min-h-touch rounded-control bg-accent px-2 font-medium text-white hover:bg-accent-hover focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus focus-visible:ring-offset-2 disabled:opacity-60 sm:min-h-7">
          {saving ? 'Saving…' : 'Save'}
        </button>
        {error ? (
          <span role="alert" className="text-danger-fg">
            {error}
          </span>
        ) : null}
      </div>
    </div>
  );
}

