'use client';
import { useRef, useState, type KeyboardEvent } from 'react';
import { AuditTab } from './audit-tab';
import { RoomsTab } from './rooms-tab';
import { SettingsTab } from './settings-tab';
import { ADMIN_TABS, type AdminTab } from './tabs';
import { UsersTab } from './users-tab';

/**
 * The instance admin's page: tabs (WAI-ARIA tabs pattern: arrow keys, Home/End, one tab stop). A tab's
 * panel mounts when first shown and stays, so its search and scroll survive switching; the address keeps
 * `?tab=` so a reload or a shared link opens the same tab.
 */
export function AdminPanel({ meId, initialTab }: { meId: string; initialTab: AdminTab }) {
  const [tab, setTab] = useState<AdminTab>(initialTab);
  const [opened, setOpened] = useState<Set<AdminTab>>(() => new Set([initialTab]));
  const tabRefs = useRef(new Map<AdminTab, HTMLButtonElement>());

  function select(next: AdminTab, focus = false) {
    setTab(next);
    setOpened((held) => (held.has(next) ? held : new Set(held).add(next)));
    const url = new URL(window.location.href);
    url.searchParams.set('tab', next);
    window.history.replaceState(window.history.state, '', url);
    if (focus) tabRefs.current.get(next)?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const index = ADMIN_TABS.findIndex((t) => t.id === tab);
    const last = ADMIN_TABS.length - 1;
    const target =
      event.key === 'ArrowRight' ? (index === last ? 0 : index + 1)
      : event.key === 'ArrowLeft' ? (index === 0 ? last : index - 1)
      : event.key === 'Home' ? 0
      : event.key === 'End' ? last
      : null;
    if (target === null) return;
    event.preventDefault();
    select(ADMIN_TABS[target]!.id, true);
  }

  return (
    <div>
      <div role="tablist" aria-label="Administration" onKeyDown={onKeyDown} className="-mx-1 flex gap-1 overflow-x-auto border-b border-line px-1">
        {ADMIN_TABS.map((t) => (
          <button
            key={t.id}
            ref={(el) => {
              if (el) tabRefs.current.set(t.id, el);
              else tabRefs.current.delete(t.id);
            }}
            type="button"
            role="tab"
            id={`admin-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`admin-panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => select(t.id)}
            className={`-mb-px whitespace-nowrap border-b-2 px-3 py-2 text-sm font-medium focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus ${
              tab === t.id ? 'border-accent text-link' : 'border-transparent text-fg-muted hover:text-fg'
            }`}
          >
            {t.label}
          </button>
        ))}
      </div>
      {ADMIN_TABS.map((t) => (
        <div key={t.id} role="tabpanel" id={`admin-panel-${t.id}`} aria-labelledby={`admin-tab-${t.id}`} hidden={tab !== t.id} tabIndex={0} className="pt-4 focus-visible:outline-none">
          {opened.has(t.id) ? (
            t.id === 'users' ? <UsersTab meId={meId} /> : t.id === 'rooms' ? <RoomsTab /> : t.id === 'audit' ? <AuditTab /> : <SettingsTab />
          ) : null}
        </div>
      ))}
    </div>
  );
}
