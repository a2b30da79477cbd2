'use client';
import { useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { MESSAGE_MAX_CHARS, charCount } from '@/lib/schemas/message';
import { roomTitle } from '@/lib/stores/room-list';
import { useRoom } from './room-context';

const MAX_TEXTAREA_PX = 200;

/**
 * Enter sends, Shift+Enter is a new line; counts characters against the limit and refuses empty or too
 * long; tells the room I am typing.
 */
export function Composer() {
  const send = useRoom((s) => s.send);
  const typingInput = useRoom((s) => s.typingInput);
  const status = useRoom((s) => s.status);
  const roomName = useRoom((s) => roomTitle(s.room));
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);

  const count = charCount(text);
  const over = count > MESSAGE_MAX_CHARS;
  const empty = text.trim().length === 0;
  const live = status === 'live';
  const near = count > MESSAGE_MAX_CHARS * 0.9;

  function resize() {
    const el = area.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, MAX_TEXTAREA_PX)}px`;
  }

  function submit() {
    if (!live || empty || over) return;
    const problem = send(text);
    if (problem) {
      setError(problem);
      return;
    }
    setText('');
    setError(null);
    requestAnimationFrame(resize);
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    submit();
  }

  return (
    <form onSubmit={onSubmit} className="border-t border-slate-200 bg-white p-2 sm:p-3">
      <div className="flex items-end gap-2">
        <textarea
          ref={area}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            typingInput(e.target.value);
            if (error) setError(null);
            resize();
          }}
          onKeyDown={onKeyDown}
          rows={1}
          disabled={!live}
          aria-label="Message"
          aria-invalid={over || undefined}
          aria-describedby="composer-counter"
          placeholder={live ? `Message ${roomName}` : 'This room is closed'}
          className={`min-h-10 flex-1 resize-none rounded-md border px-3 py-2 text-slate-900 outline-none focus:ring-2 focus:ring-brand-500 disabled:bg-slate-100 ${
            over ? 'border-red-500' : 'border-slate-300'
          }`}
        />
        <button
          type="submit"
          disabled={!live || empty || over}
          className="h-10 shrink-0 rounded-md bg-brand-600 px-4 font-medium text-white hover:bg-brand-700 disabled:opacity-50"
        >
          Send
        </button>
      </div>
      <div className="mt-1 flex items-center justify-between gap-2 px-1 text-xs">
        <span className="hidden text-slate-400 sm:inline">Enter to send · Shift+Enter for a new line</span>
        {error ? (
          <span role="alert" className="text-red-600">
            {error}
          </span>
        ) : over ? (
          <span role="alert" className="text-red-600">
            Too long: {count - MESSAGE_MAX_CHARS} over the limit.
          </span>
        ) : null}
        <span id="composer-counter" data-testid="char-counter" className={`ml-auto tabular-nums ${over ? 'font-semibold text-red-600' : near ? 'text-amber-700' : 'text-slate-400'}`}>
          {count}/{MESSAGE_MAX_CHARS}
        </span>
      </div>
    </form>
  );
}
