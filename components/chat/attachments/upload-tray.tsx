'use client';
import { ArrowPathIcon, ExclamationCircleIcon, MicrophoneIcon, XMarkIcon } from '@heroicons/react/20/solid';
import { fileFamily, formatBytes, formatDuration, resampleBars } from '@/lib/files/display';
import type { PendingUpload, Tray } from '@/lib/stores/uploads';
import { AudioPlayer } from './audio-player';
import { barHeightClass } from './bar-height';
import { FileIcon } from './file-icon';
import { uploadsStore } from './uploads';

const STATUS_TEXT: Record<PendingUpload['status'], string> = {
  queued: 'Waiting…',
  uploading: 'Uploading',
  done: 'Ready',
  failed: 'Failed',
  refused: 'Not sent',
};

function percent(item: PendingUpload): number {
  if (item.status === 'done') return 100;
  return item.size > 0 ? Math.min(100, Math.floor((item.loaded / item.size) * 100)) : 0;
}

/** A recording's waveform while it uploads (the player takes over once it is stored). */
function StaticWaveform({ bars }: { bars: number[] }) {
  const shown = resampleBars(bars, 32);
  return (
    <span aria-hidden="true" className="flex h-6 flex-1 items-center gap-[2px]">
      {shown.map((value, i) => (
        <span key={i} className={`min-w-[2px] flex-1 rounded-full bg-line-strong ${barHeightClass(value)}`} />
      ))}
    </span>
  );
}

function TrayItem({ trayKey, item }: { trayKey: string; item: PendingUpload }) {
  const { remove, retry } = uploadsStore().getState();
  const problem = item.status === 'failed' || item.status === 'refused';
  const pct = percent(item);
  const voiceLabel = item.voice ? `Voice message (${formatDuration(item.voice.durationMs)})` : item.name;
  const removeLabel =
    item.status === 'uploading' || item.status === 'queued' ? `Cancel uploading ${voiceLabel}` : `Remove ${voiceLabel}`;
  return (
    <li
      data-testid="tray-item"
      data-status={item.status}
      data-name={item.name}
      className={`relative flex shrink-0 items-center gap-2 rounded-lg border bg-surface p-1.5 pr-1 ${problem ? 'border-danger-line' : 'border-line'} ${
        item.voice && item.attachment ? 'w-auto' : 'w-60 sm:w-64'
      }`}
    >
      {item.voice && item.attachment ? (
        <AudioPlayer attachment={item.attachment} compact />
      ) : (
        <>
          {item.previewUrl ? (
            // eslint-disable-next-line @next/next/no-img-element -- a local object URL
            <img src={item.previewUrl} alt="" className="size-10 shrink-0 rounded-md border border-line object-cover" />
          ) : item.voice ? (
            <span aria-hidden="true" className="flex size-10 shrink-0 items-center justify-center rounded-md bg-teal-100 text-teal-700">
              <MicrophoneIcon className="size-5" />
            </span>
          ) : (
            <FileIcon family={fileFamily({ kind: item.kind, contentType: item.type, name: item.name })} />
          )}
          <div className="min-w-0 flex-1">
            {item.voice ? (
              <div className="flex items-center gap-2">
                <StaticWaveform bars={item.voice.waveform} />
                <span className="shrink-0 text-xs tabular-nums text-fg-muted">{formatDuration(item.voice.durationMs)}</span>
              </div>
            ) : (
              <p className="truncate text-sm font-medium text-fg" title={item.name}>
                {item.name}
              </p>
            )}
            {problem ? (
              <p role="alert" data-testid="tray-error" className="flex items-start gap-1 text-xs text-danger-fg">
                <ExclamationCircleIcon aria-hidden="true" className="mt-px size-3.5 shrink-0" />
                <span className="line-clamp-2" title={item.error ?? undefined}>
                  {item.error}
                </span>
              </p>
            ) : item.status === 'done' ? (
              <p className="text-xs text-fg-muted">{formatBytes(item.size)}</p>
            ) : (
              <div className="mt-1 flex items-center gap-2">
                <div
                  role="progressbar"
                  aria-label={`Uploading ${voiceLabel}`}
                  aria-valuemin={0}
                  aria-valuemax={100}
                  aria-valuenow={pct}
                  aria-valuetext={item.status === 'queued' ? 'Waiting' : `${pct}% of ${formatBytes(item.size)}`}
                  data-testid="tray-progress"
                  className="h-1.5 flex-1 overflow-hidden rounded-full bg-surface-strong"
                >
                  <div className="h-full rounded-full bg-accent transition-[width] duration-200" style={{ width: `${pct}%` }} />
                </div>
                <span className="shrink-0 text-xs tabular-nums text-fg-muted">{item.status === 'queued' ? STATUS_TEXT.queued : `${pct}%`}</span>
              </div>
            )}
          </div>
        </>
      )}
      {item.status === 'failed' && item.retryable ? (
        <button
          type="button"
          onClick={() => retry(trayKey, item.key)}
          aria-label={`Retry uploading ${voiceLabel}`}
          title="Retry"
          data-testid="tray-retry"
          className="flex size-7 shrink-0 items-center justify-center rounded text-fg-muted hover:bg-surface-sunken hover:text-fg focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus"
        >
          <ArrowPathIcon aria-hidden="true" className="size-4" />
        </button>
      ) : null}
      <button
        type="button"
        onClick={() => remove(trayKey, item.key)}
        aria-label={removeLabel}
        title={item.status === 'uploading' ? 'Cancel' : 'Remove'}
        data-testid="tray-remove"
        className="flex size-7 shrink-0 items-center justify-center rounded text-fg-muted hover:bg-surface-sunken hover:text-fg focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus"
      >
        <XMarkIcon aria-hidden="true" className="size-4" />
      </button>
    </li>
  );
}

/** The files waiting to go with the next message, above the text box. */
export function UploadTray({ trayKey, tray }: { trayKey: string; tray: Tray }) {
  if (tray.items.length === 0 && !tray.notice) return null;
  return (
    <div className="mb-2" data-testid="upload-tray">
      {tray.items.length > 0 ? (
        // Phones: one row that scrolls sideways, so the conversation keeps its room; wider screens: wrapped rows.
        <ul aria-label="Files to send" className="-mx-1 flex gap-1.5 overflow-x-auto px-1 pb-1 sm:mx-0 sm:max-h-56 sm:flex-wrap sm:overflow-y-auto sm:overflow-x-visible sm:px-0">
          {tray.items.map((item) => (
            <TrayItem key={item.key} trayKey={trayKey} item={item} />
          ))}
        </ul>
      ) : null}
      {tray.notice ? (
        <p role="status" className="mt-1 flex items-center gap-2 text-xs text-warning-fg">
          {tray.notice}
          <button
            type="button"
            onClick={() => uploadsStore().getState().dismissNotice(trayKey)}
            className="rounded px-1 font-medium underline hover:text-warning-fg focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus"
          >
            OK
          </button>
        </p>
      ) : null}
    </div>
  );
}
