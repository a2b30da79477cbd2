'use client';
import {
  useDeferredValue,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type KeyboardEvent,
  type RefObject,
} from 'react';
import {
  DEFAULT_FREQUENT_EMOJI,
  type CatalogEmoji,
  type EmojiCatalog,
  type SkinTone,
  emojiName,
  emojiPreferencesVersion,
  frequentEmoji,
  loadEmojiCatalog,
  loadedEmojiCatalog,
  preferredSkinTone,
  recordEmojiUse,
  searchEmoji,
  setPreferredSkinTone,
  subscribeEmojiPreferences,
  withSkinTone,
} from '@/lib/emoji/catalog';
import { moveInGrid } from './emoji-grid-keys';

const COLUMNS = 8;
const QUICK_REACTIONS = 6;
const SKIN_TONES: readonly SkinTone[] = [0, 1, 2, 3, 4, 5];
/** The hand shown in the skin tone choice. */
const TONE_SAMPLE = '✋';

const focusRing = 'focus-visible:outline-hidden focus-visible:ring-2 focus-visible:ring-focus';
const emojiButton = `flex aspect-square w-full items-center justify-center rounded-md text-xl leading-none hover:bg-surface-sunken ${focusRing}`;

interface GridItem {
  emoji: string;
  name: string;
  shortcode?: string;
}

/** -1 while rendering on the server or hydrating (show the defaults), then the preferences' version. */
function usePreferencesVersion(): number {
  return useSyncExternalStore(subscribeEmojiPreferences, emojiPreferencesVersion, () => -1);
}

function useFrequentEmoji(limit: number): readonly string[] {
  const version = usePreferencesVersion();
  return useMemo(() => (version < 0 ? DEFAULT_FREQUENT_EMOJI.slice(0, limit) : frequentEmoji(limit)), [version, limit]);
}

function useSkinTone(): SkinTone {
  const version = usePreferencesVersion();
  return useMemo(() => (version < 0 ? 0 : preferredSkinTone()), [version]);
}

type CatalogState = { status: 'loading' } | { status: 'failed' } | { status: 'ready'; catalog: EmojiCatalog };

/** The catalogue, loading it (a separate chunk) on mount; retry() after a failed load. */
function useEmojiCatalog(): { state: CatalogState; retry(): void } {
  const [state, setState] = useState<CatalogState>(() => {
    const catalog = loadedEmojiCatalog();
    return catalog ? { status: 'ready', catalog } : { status: 'loading' };
  });

  useEffect(() => {
    if (state.status !== 'loading') return;
    let current = true;
    loadEmojiCatalog().then(
      (catalog) => current && setState({ status: 'ready', catalog }),
      () => current && setState({ status: 'failed' }),
    );
    return () => {
      current = false;
    };
  }, [state.status]);

  return { state, retry: () => setState({ status: 'loading' }) };
}

function toItem(entry: CatalogEmoji, tone: SkinTone): GridItem {
  const shown = withSkinTone(entry, tone);
  return { emoji: shown.emoji, name: shown.name, shortcode: entry.shortcodes[0] };
}

function focusActiveCell(grid: RefObject<HTMLDivElement | null>): boolean {
  const cell = grid.current?.querySelector<HTMLButtonElement>('button[tabindex="0"]');
  cell?.focus();
  return Boolean(cell);
}

/**
 * One composite widget (a single Tab stop, roving tabindex): arrows move, Enter/Space pick (they are buttons),
 * Up from the first row and Down from the last hand focus to the picker.
 */
function EmojiGrid({
  items,
  label,
  gridRef,
  onSelect,
  onActive,
  onExitUp,
  onExitDown,
}: {
  items: readonly GridItem[];
  label: string;
  gridRef: RefObject<HTMLDivElement | null>;
  onSelect(emoji: string): void;
  onActive(item: GridItem): void;
  onExitUp?(): void;
  onExitDown?(): void;
}) {
  const [active, setActive] = useState(0);
  const current = Math.min(active, Math.max(items.length - 1, 0));

  const rows = useMemo(() => {
    const chunks: GridItem[][] = [];
    for (let i = 0; i < items.length; i += COLUMNS) chunks.push(items.slice(i, i + COLUMNS));
    return chunks;
  }, [items]);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const move = moveInGrid(current, event.key, items.length, COLUMNS, event.ctrlKey || event.metaKey);
    if (move === undefined) return;
    event.preventDefault();
    if (move === 'exit-up') onExitUp?.();
    else if (move === 'exit-down') onExitDown?.();
    else {
      setActive(move);
      gridRef.current?.querySelector<HTMLButtonElement>(`button[data-index="${move}"]`)?.focus();
    }
  }

  return (
    <div ref={gridRef} role="grid" aria-label={label} onKeyDown={onKeyDown}>
      {rows.map((row, r) => (
        <div key={r} role="row" className="grid grid-cols-8 gap-0.5">
          {row.map((item, c) => {
            const index = r * COLUMNS + c;
            return (
              <div key={item.emoji} role="gridcell">
                <button
                  type="button"
                  data-index={index}
                  tabIndex={index === current ? 0 : -1}
                  aria-label={item.name}
                  onClick={() => onSelect(item.emoji)}
                  onFocus={() => {
                    setActive(index);
                    onActive(item);
                  }}
                  onMouseEnter={() => onActive(item)}
                  className={emojiButton}
                >
                  <span aria-hidden="true">{item.emoji}</span>
                </button>
              </div>
            );
          })}
        </div>
      ))}
    </div>
  );
}

/**
 * The content of an emoji popover (the caller positions it and returns focus to its trigger on close): search
 * (focused on open; Enter picks the first result, Down enters the results), frequently used emoji, category tabs
 * and a grid of emoji buttons named after their emoji. Escape calls `onClose`. Picking records the use for
 * "frequently used" and calls `onSelect` with the emoji in the form the server stores.
 */
export function EmojiPicker({ onSelect, onClose, label = 'Emoji picker' }: { onSelect(emoji: string): void; onClose(): void; label?: string }) {
  const { state, retry } = useEmojiCatalog();
  const catalog = state.status === 'ready' ? state.catalog : undefined;
  const tone = useSkinTone();
  const frequent = useFrequentEmoji(COLUMNS);
  const [query, setQuery] = useState('');
  const deferredQuery = useDeferredValue(query);
  const [categoryKey, setCategoryKey] = useState<string | undefined>(undefined);
  const [preview, setPreview] = useState<GridItem | null>(null);

  const searchRef = useRef<HTMLInputElement>(null);
  const frequentGrid = useRef<HTMLDivElement>(null);
  const categoryGrid = useRef<HTMLDivElement>(null);
  const resultsGrid = useRef<HTMLDivElement>(null);
  const tabList = useRef<HTMLDivElement>(null);
  const id = useId();

  useEffect(() => {
    // preventScroll: the caller has just positioned the popover; focusing must not move the page.
    searchRef.current?.focus({ preventScroll: true });
  }, []);

  const searching = deferredQuery.trim().length > 0;
  const results = useMemo(
    () => (catalog && searching ? searchEmoji(catalog, deferredQuery).map((entry) => toItem(entry, tone)) : []),
    [catalog, searching, deferredQuery, tone],
  );
  const category = catalog?.categories.find((c) => c.key === categoryKey) ?? catalog?.categories[0];
  const categoryItems = useMemo(() => category?.emoji.map((entry) => toItem(entry, tone)) ?? [], [category, tone]);
  const frequentItems = useMemo(
    () => frequent.map((emoji) => ({ emoji, name: (catalog && emojiName(catalog, emoji)) ?? emoji })),
    [frequent, catalog],
  );
  const toneSample = useMemo(() => {
    const hand = catalog?.byEmoji.get(TONE_SAMPLE);
    return (t: SkinTone) => (hand ? withSkinTone(hand, t).emoji : TONE_SAMPLE);
  }, [catalog]);

  function select(emoji: string) {
    recordEmojiUse(emoji);
    onSelect(emoji);
  }

  function focusSelectedTab() {
    tabList.current?.querySelector<HTMLButtonElement>('[aria-selected="true"]')?.focus();
  }

  function onRootKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === 'Escape') {
      // Handled here only: an enclosing message row or dialog must not also act on this Escape.
      event.preventDefault();
      event.stopPropagation();
      onClose();
    }
  }

  function onSearchKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.nativeEvent.isComposing) return;
    if (event.key === 'Enter') {
      event.preventDefault();
      const first = query.trim() && catalog ? searchEmoji(catalog, query, 1)[0] : undefined;
      if (first) select(toItem(first, tone).emoji);
    } else if (event.key === 'ArrowDown') {
      if (focusActiveCell(searching ? resultsGrid : frequentGrid)) event.preventDefault();
    }
  }

  function onTabKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (!catalog) return;
    const keys = catalog.categories.map((c) => c.key);
    const at = keys.indexOf(category?.key ?? keys[0]!);
    const next =
      event.key === 'ArrowRight'
        ? (at + 1) % keys.length
        : event.key === 'ArrowLeft'
          ? (at - 1 + keys.length) % keys.length
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? keys.length - 1
              : undefined;
    if (next !== undefined) {
      event.preventDefault();
      setCategoryKey(keys[next]);
      tabList.current?.querySelectorAll<HTMLButtonElement>('[role="tab"]')[next]?.focus();
    } else if (event.key === 'ArrowDown') {
      event.preventDefault();
      focusActiveCell(categoryGrid);
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      focusActiveCell(frequentGrid);
    }
  }

  const status =
    state.status === 'loading'
      ? 'Loading emoji…'
      : state.status === 'failed'
        ? 'Emoji could not be loaded.'
        : searching
          ? results.length === 0
            ? 'No emoji found.'
            : `${results.length} emoji found.`
          : '';

  return (
    <div
      role="group"
      aria-label={label}
      onKeyDown={onRootKeyDown}
      className="flex w-72 max-w-[calc(100vw-1rem)] flex-col overflow-hidden rounded-lg border border-line bg-surface text-fg shadow-lg"
    >
      <div className="flex items-center gap-2 border-b border-line p-2">
        <input
          ref={searchRef}
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={onSearchKeyDown}
          aria-label="Search emoji"
          placeholder="Search emoji"
          autoComplete="off"
          spellCheck={false}
          className="h-9 min-w-0 flex-1 rounded-md border border-line-strong px-2 text-sm text-fg outline-none focus:ring-2 focus:ring-focus"
        />
        {catalog ? (
          <select
            value={tone}
            onChange={(e) => setPreferredSkinTone(Number(e.target.value) as SkinTone)}
            aria-label="Skin tone"
            className={`h-9 shrink-0 rounded-md border border-line-strong bg-surface px-1 text-lg leading-none ${focusRing}`}
          >
            {SKIN_TONES.map((t) => (
              <option key={t} value={t}>
                {toneSample(t)}
              </option>
            ))}
          </select>
        ) : null}
      </div>

      <p role="status" className="sr-only">
        {status}
      </p>

      {searching ? (
        <div className="max-h-64 min-h-32 overflow-y-auto overscroll-contain p-2">
          {state.status === 'ready' && results.length > 0 ? (
            <EmojiGrid
              key={deferredQuery}
              items={results}
              label="Search results"
              gridRef={resultsGrid}
              onSelect={select}
              onActive={setPreview}
              onExitUp={() => searchRef.current?.focus()}
            />
          ) : state.status === 'ready' ? (
            <p className="px-2 py-6 text-center text-sm text-fg-muted">
              No emoji match <span className="font-medium text-fg">“{deferredQuery.trim()}”</span>
            </p>
          ) : null}
        </div>
      ) : (
        <>
          <div className="border-b border-line p-2">
            <p aria-hidden="true" className="mb-1 px-1 text-xs font-medium text-fg-muted">
              Frequently used
            </p>
            <EmojiGrid
              items={frequentItems}
              label="Frequently used"
              gridRef={frequentGrid}
              onSelect={select}
              onActive={setPreview}
              onExitUp={() => searchRef.current?.focus()}
              onExitDown={focusSelectedTab}
            />
          </div>
          {catalog && category ? (
            <>
              <div ref={tabList} role="tablist" aria-label="Emoji categories" onKeyDown={onTabKeyDown} className="flex border-b border-line px-1">
                {catalog.categories.map((c) => {
                  const selected = c.key === category.key;
                  return (
                    <button
                      key={c.key}
                      type="button"
                      role="tab"
                      id={`${id}-tab-${c.key}`}
                      aria-selected={selected}
                      aria-controls={`${id}-panel`}
                      aria-label={c.name}
                      title={c.name}
                      tabIndex={selected ? 0 : -1}
                      onClick={() => setCategoryKey(c.key)}
                      className={`flex h-9 min-w-0 flex-1 items-center justify-center border-b-2 text-lg leading-none ${
                        selected ? 'border-accent' : 'border-transparent opacity-70 hover:opacity-100'
                      } ${focusRing} focus-visible:ring-inset`}
                    >
                      <span aria-hidden="true">{c.emoji[0]?.emoji}</span>
                    </button>
                  );
                })}
              </div>
              <div
                key={category.key}
                role="tabpanel"
                id={`${id}-panel`}
                aria-labelledby={`${id}-tab-${category.key}`}
                className="max-h-56 overflow-y-auto overscroll-contain p-2"
              >
                <p aria-hidden="true" className="mb-1 px-1 text-xs font-medium text-fg-muted">
                  {category.name}
                </p>
                <EmojiGrid
                  items={categoryItems}
                  label={category.name}
                  gridRef={categoryGrid}
                  onSelect={select}
                  onActive={setPreview}
                  onExitUp={focusSelectedTab}
                />
              </div>
            </>
          ) : (
            <div className="flex h-56 flex-col items-center justify-center gap-2 p-4 text-sm text-fg-muted">
              {state.status === 'failed' ? (
                <>
                  <p>Emoji could not be loaded.</p>
                  <button
                    type="button"
                    onClick={retry}
                    className={`rounded-md border border-line-strong px-3 py-1 text-fg hover:bg-surface-muted ${focusRing}`}
                  >
                    Try again
                  </button>
                </>
              ) : (
                <p className="animate-pulse">Loading emoji…</p>
              )}
            </div>
          )}
        </>
      )}

      <div aria-hidden="true" className="flex h-10 items-center gap-2 border-t border-line px-3 text-sm text-fg-muted">
        {preview ? (
          <>
            <span className="text-2xl leading-none">{preview.emoji}</span>
            <span className="min-w-0 truncate">
              {preview.name}
              {preview.shortcode ? <span className="ml-1 text-fg-subtle">:{preview.shortcode}:</span> : null}
            </span>
          </>
        ) : (
          <span className="truncate">Pick an emoji</span>
        )}
      </div>
    </div>
  );
}

/**
 * The user's six most used emoji as buttons, for a message's hover toolbar. It does not load the catalogue: the
 * buttons are named "React with thumbs up" once a picker has loaded it, "React with 👍" until then (screen
 * readers speak the emoji's name). Picking counts as a use.
 */
export function QuickReactions({ onSelect }: { onSelect(emoji: string): void }) {
  const frequent = useFrequentEmoji(QUICK_REACTIONS);
  // Names only after hydration, so the server's markup and the first client render agree.
  const hydrated = usePreferencesVersion() >= 0;
  const catalog = hydrated ? loadedEmojiCatalog() : undefined;
  return (
    <div role="group" aria-label="Quick reactions" className="flex items-center gap-0.5">
      {frequent.map((emoji) => {
        const name = (catalog && emojiName(catalog, emoji)) ?? emoji;
        return (
          <button
            key={emoji}
            type="button"
            aria-label={`React with ${name}`}
            title={`React with ${name}`}
            onClick={() => {
              recordEmojiUse(emoji);
              onSelect(emoji);
            }}
            className={`flex h-8 w-8 items-center justify-center rounded-md text-lg leading-none hover:bg-surface-sunken ${focusRing}`}
          >
            <span aria-hidden="true">{emoji}</span>
          </button>
        );
      })}
    </div>
  );
}
