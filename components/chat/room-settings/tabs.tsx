'use client';
/**
 * Tabs after the WAI-ARIA pattern: a tablist whose tabs are one Tab stop (roving tabindex), ←/→ move and
 * select (automatic activation), Home/End jump to the ends; each panel is labelled by its tab and is
 * focusable so keyboard users reach its content from the tab with one Tab.
 */
import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from 'react';

export interface TabItem<K extends string> {
  key: K;
  label: string;
  /** Danger zone: drawn in red. */
  danger?: boolean;
}

export function Tabs<K extends string>({
  label,
  tabs,
  active,
  onChange,
  children,
}: {
  label: string;
  tabs: TabItem<K>[];
  active: K;
  onChange(key: K): void;
  /** The active tab's panel content. */
  children: ReactNode;
}) {
  const base = useId();
  const refs = useRef(new Map<K, HTMLButtonElement>());
  const tabId = (key: K) => `${base}-tab-${key}`;
  const panelId = (key: K) => `${base}-panel-${key}`;

  // On a phone the tabs scroll sideways: keep the selected one in view. (A block body: newer browsers'
  // scrollIntoView returns a promise, which React would take for a cleanup function.)
  useEffect(() => {
    refs.current.get(active)?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [active]);

  function onKeyDown(event: KeyboardEvent<HTMLButtonElement>) {
    const index = tabs.findIndex((t) => t.key === active);
    let next = -1;
    if (event.key === 'ArrowRight' || event.key === 'ArrowDown') next = (index + 1) % tabs.length;
    else if (event.key === 'ArrowLeft' || event.key === 'ArrowUp') next = (index - 1 + tabs.length) % tabs.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = tabs.length - 1;
    if (next < 0) return;
    event.preventDefault();
    const key = tabs[next]!.key;
    onChange(key);
    refs.current.get(key)?.focus();
  }

  return (
    <div className="flex min-h-0 flex-1 flex-col sm:flex-row">
      <div
        role="tablist"
        aria-label={label}
        aria-orientation="horizontal"
        className="flex shrink-0 gap-1 overflow-x-auto border-b border-line px-2 py-1 sm:w-44 sm:flex-col sm:overflow-visible sm:border-b-0 sm:border-r sm:px-2 sm:py-3"
      >
        {tabs.map((tab) => {
          const selected = tab.key === active;
          return (
            <button
              key={tab.key}
              ref={(el) => {
                if (el) refs.current.set(tab.key, el);
                else refs.current.delete(tab.key);
              }}
              type="button"
              role="tab"
              id={tabId(tab.key)}
              aria-selected={selected}
              aria-controls={panelId(tab.key)}
              tabIndex={selected ? 0 : -1}
              data-testid={`settings-tab-${tab.key}`}
              onClick={() => onChange(tab.key)}
              onKeyDown={onKeyDown}
              className={`shrink-0 whitespace-nowrap rounded-md px-2.5 py-1.5 text-left sm:px-3 text-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus ${
                selected
                  ? tab.danger
                    ? 'bg-danger-soft font-medium text-danger-fg'
                    : 'bg-accent-soft-strong font-medium text-link'
                  : tab.danger
                    ? 'text-danger-fg hover:bg-danger-soft'
                    : 'text-fg-muted hover:bg-surface-sunken'
              }`}
            >
              {tab.label}
            </button>
          );
        })}
      </div>
      <div
        role="tabpanel"
        id={panelId(active)}
        aria-labelledby={tabId(active)}
        tabIndex={0}
        data-testid={`settings-panel-${active}`}
        className="min-h-0 flex-1 overflow-y-auto p-4 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-focus sm:p-5"
      >
        {children}
      </div>
    </div>
  );
}
