'use client';
import { memo, useEffect, useMemo, useRef, useState, type ComponentProps } from 'react';
import Markdown, { type Components, type ExtraProps, type Options } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import remarkBreaks from 'remark-breaks';
import { findAndReplace, type RegExpMatchObject } from 'mdast-util-find-and-replace';
import { visit } from 'unist-util-visit';
import type { Element, ElementContent, Root as HastRoot } from 'hast';
import type { Paragraph, Parent, PhrasingContent, Root, RootContent, Text } from 'mdast';

/**
 * Message bodies as a safe Markdown subset (react-markdown + GFM, single newline = line break).
 *
 * What chat does not use is rewritten on the syntax tree before it reaches HTML, so the output only ever holds
 * p, br, strong, em, del, code, pre, blockquote, ul, ol, li, a and span (plus the code block's div and button):
 * - raw HTML (and HTML comments): literal text, as typed;
 * - images: a link to the image's URL labelled with its alt text (no remote image is ever loaded);
 * - headings: a bold paragraph;
 * - horizontal rules: the rule's characters as text (`---` reads fine as a divider);
 * - tables: one line per row, cells separated by " | " (the delimiter row is dropped), cell formatting kept;
 * - footnotes: their source form, `[^1]` and `[^1]: …`;
 * - task-list items: a list item starting with the literal `[ ] ` / `[x] ` (no checkbox input).
 * Links survive only with an http(s) or mailto URL; any other link shows as its label, not a link.
 */

/** Props of {@link MessageMarkdown}. Keep `mentionedUsernames` referentially stable: the component is memoized. */
export interface MessageMarkdownProps {
  /** The message body (plain text with Markdown, ≤ 2000 code points). */
  body: string;
  /** Lower-cased usernames the server resolved as mentioned in this message; `@name` becomes a chip only for these. */
  mentionedUsernames?: ReadonlySet<string>;
  /** The viewer's username: their own mention (when also in `mentionedUsernames`) gets a stronger highlight. */
  meUsername?: string;
  /** Whether `@room` / `@here` in this message notify the room (rendered as chips, highlighted for everyone). */
  mentionsRoom?: boolean;
}

const ALLOWED_URL = /^(?:https?:\/\/|mailto:)/i;
const ALLOWED_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** Only absolute http(s) and mailto URLs may become links; relative, protocol-relative and every other scheme may not. */
export function isAllowedUrl(url: string): boolean {
  // The literal prefix rules out control-character and whitespace tricks (browsers strip those before the scheme);
  // the URL parser confirms what a browser would see.
  if (!ALLOWED_URL.test(url)) return false;
  try {
    return ALLOWED_PROTOCOLS.has(new URL(url).protocol);
  } catch {
    return false;
  }
}

/** react-markdown's last word on every URL attribute: disallowed URLs are emptied (and the link then unwrapped). */
function urlTransform(url: string): string {
  return isAllowedUrl(url) ? url : '';
}

/** Elements the HTML may contain; anything else is unwrapped to its content (defence in depth: none should occur). */
const ALLOWED_ELEMENTS = ['p', 'br', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'span'];

const FLOW_PARENTS = new Set(['root', 'blockquote', 'listItem', 'footnoteDefinition']);

function text(value: string): Text {
  return { type: 'text', value };
}

/** The source text of a node, for constructs shown as typed. */
function sourceOf(node: RootContent, source: string, fallback: string): string {
  const start = node.position?.start.offset;
  const end = node.position?.end.offset;
  return start !== undefined && end !== undefined ? source.slice(start, end) : fallback;
}

/** Put `prefix` in front of a block's content: into its first paragraph, or a new paragraph before the rest. */
function prependText(children: RootContent[], prefix: string): RootContent[] {
  const first = children[0];
  if (first?.type === 'paragraph') return [{ ...first, children: [text(prefix), ...first.children] }, ...children.slice(1)];
  return [{ type: 'paragraph', children: [text(prefix)] }, ...children];
}

/** remark plugin: rewrite what chat does not render (see the module comment) into the kept subset. */
function remarkChatSubset() {
  return (tree: Root, file: { value: unknown }) => {
    const source = String(file.value ?? '');
    // An image inside a link cannot become a link (no nested <a>): it becomes its alt text.
    visit(tree, ['link', 'linkReference'], (link) => {
      visit(link, ['image', 'imageReference'], (image, index, parent) => {
        if (index === undefined || !parent || (image.type !== 'image' && image.type !== 'imageReference')) return;
        (parent.children as PhrasingContent[])[index] = text(image.alt ?? '');
      });
    });
    visit(tree, (node, index, parent) => {
      if (index === undefined || !parent) return;
      const siblings = parent.children as RootContent[];
      const replace = (...nodes: RootContent[]) => {
        siblings.splice(index, 1, ...nodes);
        return index; // visit what replaced the node
      };
      switch (node.type) {
        case 'html':
          return replace(FLOW_PARENTS.has(parent.type) ? { type: 'paragraph', children: [text(node.value)] } : text(node.value));
        case 'image':
          return replace({ type: 'link', url: node.url, title: node.title, children: [text(node.alt || node.url)] });
        case 'imageReference':
          return replace({
            type: 'linkReference',
            identifier: node.identifier,
            label: node.label,
            referenceType: node.referenceType,
            children: [text(node.alt || node.label || node.identifier)],
          });
        case 'heading':
          return replace(
            node.children.length
              ? { type: 'paragraph', children: [{ type: 'strong', children: node.children }] }
              : { type: 'paragraph', children: [text(sourceOf(node, source, '#').trim())] },
          );
        case 'thematicBreak':
          return replace({ type: 'paragraph', children: [text(sourceOf(node, source, '---'))] });
        case 'table': {
          const line: PhrasingContent[] = [];
          node.children.forEach((row, r) => {
            if (r > 0) line.push({ type: 'break' });
            row.children.forEach((cell, c) => {
              if (c > 0) line.push(text(' | '));
              line.push(...cell.children);
            });
          });
          return replace({ type: 'paragraph', children: line } satisfies Paragraph);
        }
        case 'footnoteReference':
          return replace(text(`[^${node.label ?? node.identifier}]`));
        case 'footnoteDefinition':
          return replace(...prependText(node.children, `[^${node.label ?? node.identifier}]: `));
        case 'listItem':
          if (typeof node.checked === 'boolean') {
            node.children = prependText(node.children, node.checked ? '[x] ' : '[ ] ') as typeof node.children;
            node.checked = null;
          }
          return;
      }
    });
  };
}

/** A mention chip in the Markdown tree; mdast-util-to-hast turns it into `<span data-mention>` via `data.hName`. */
interface Mention extends Parent {
  type: 'mention';
  children: [Text];
}

declare module 'mdast' {
  interface PhrasingContentMap {
    mention: Mention;
  }
}

interface MentionOptions {
  mentionedUsernames: ReadonlySet<string>;
  me: string | undefined;
  mentionsRoom: boolean;
}

// A global RegExp is what findAndReplace expects. No lookbehind (older Safari): the preceding character is checked below.
const MENTION = /@([a-z0-9_]{3,32})(?![a-z0-9_])/gi;
const ROOM_MENTIONS = new Set(['room', 'here']);
const CHIP = 'rounded bg-accent-soft px-0.5 font-medium text-link';
const CHIP_ME = 'rounded bg-warning-soft px-0.5 font-semibold text-warning-fg';

/** remark plugin: `@username` → `<span data-mention>` for the usernames the server resolved; never in code or links. */
function remarkMentions({ mentionedUsernames, me, mentionsRoom }: MentionOptions) {
  return (tree: Root) => {
    findAndReplace(
      tree,
      [
        MENTION,
        (value: string, typed: string, match: RegExpMatchObject): Mention | false => {
          if (/[a-z0-9_@]/i.test(match.input.charAt(match.index - 1))) return false; // e.g. user@host
          const name = typed.toLowerCase();
          const isRoom = ROOM_MENTIONS.has(name);
          if (isRoom ? !mentionsRoom : !mentionedUsernames.has(name)) return false;
          const mine = isRoom || name === me;
          return {
            type: 'mention',
            children: [text(value)],
            data: {
              hName: 'span',
              hProperties: { dataMention: name, ...(mine ? { dataMentionMe: '' } : {}) },
            },
          };
        },
      ],
      // Code has no text children, so it is skipped anyway; links keep their label as written.
      { ignore: ['link', 'linkReference'] },
    );
  };
}

/** rehype plugin: a link whose URL is not allowed is replaced by its label. */
function rehypeUnwrapUnsafeLinks() {
  return (tree: HastRoot) => {
    visit(tree, 'element', (node, index, parent) => {
      if (node.tagName !== 'a' || index === undefined || !parent) return;
      const href = node.properties.href;
      if (typeof href === 'string' && isAllowedUrl(href)) return;
      (parent.children as ElementContent[]).splice(index, 1, ...node.children);
      return index;
    });
  };
}

function textOf(node: Element | ElementContent): string {
  if (node.type === 'text') return node.value;
  if (node.type === 'element') return node.children.map(textOf).join('');
  return '';
}

type CopyState = 'idle' | 'copied' | 'failed';
const COPY_TEXT: Record<CopyState, string> = { idle: 'Copy', copied: 'Copied', failed: 'Copy failed' };
const COPY_LABEL: Record<CopyState, string> = { idle: 'Copy code', copied: 'Copied', failed: 'Copy failed, code selected' };

/** A fenced or indented code block: scrolls sideways, with an optional language label and a Copy button. */
function CodeBlock({ node }: ComponentProps<'pre'> & ExtraProps) {
  const pre = useRef<HTMLPreElement>(null);
  const [copy, setCopy] = useState<{ state: CopyState; at: number }>({ state: 'idle', at: 0 });
  useEffect(() => {
    if (copy.state === 'idle') return;
    const timer = setTimeout(() => setCopy({ state: 'idle', at: 0 }), 2000);
    return () => clearTimeout(timer);
  }, [copy]);

  const codeNode = node?.children.find((child): child is Element => child.type === 'element' && child.tagName === 'code');
  const code = (codeNode ? textOf(codeNode) : node ? textOf(node) : '').replace(/\n$/, '');
  const classes = codeNode?.properties.className;
  const language = (Array.isArray(classes) ? classes : [])
    .map(String)
    .find((c) => c.startsWith('language-'))
    ?.slice('language-'.length);

  async function onCopy() {
    try {
      await navigator.clipboard.writeText(code);
      setCopy({ state: 'copied', at: Date.now() });
    } catch {
      // No clipboard (e.g. plain http on a LAN): select the code so the keyboard shortcut copies it.
      const selection = window.getSelection();
      if (pre.current && selection) {
        const range = document.createRange();
        range.selectNodeContents(pre.current);
        selection.removeAllRanges();
        selection.addRange(range);
      }
      setCopy({ state: 'failed', at: Date.now() });
    }
  }

  return (
    <div className="overflow-hidden rounded-md border border-line bg-surface-muted">
      <div className="flex items-center justify-between gap-2 border-b border-line px-2 py-0.5 text-xs text-fg-muted">
        <span className="min-w-0 truncate font-mono">{language ?? ''}</span>
        <button
          type="button"
          aria-label={COPY_LABEL[copy.state]}
          onClick={() => void onCopy()}
          className="shrink-0 rounded px-1.5 py-0.5 font-medium text-fg-muted hover:bg-surface-strong focus-visible:outline-2 focus-visible:outline-focus"
        >
          {COPY_TEXT[copy.state]}
        </button>
        <span role="status" className="sr-only">
          {copy.state === 'copied' ? 'Code copied' : ''}
        </span>
      </div>
      {/* Focusable so keyboard users can scroll a wide block. */}
      <pre ref={pre} tabIndex={0} className="overflow-x-auto whitespace-pre break-normal p-2 font-mono text-[0.8125rem] leading-snug text-fg focus-visible:outline-2 focus-visible:outline-focus">
        <code>{code}</code>
      </pre>
    </div>
  );
}

function Link({ href, title, children }: ComponentProps<'a'> & ExtraProps) {
  if (!href) return <>{children}</>;
  return (
    <a href={href} title={title} target="_blank" rel="noopener noreferrer nofollow" className="text-link underline underline-offset-2 hover:text-link">
      {children}
    </a>
  );
}

/** Each element is rebuilt from its children only: no attribute from the tree reaches the DOM except the link's. */
const components: Components = {
  p: ({ children }) => <p>{children}</p>,
  a: Link,
  pre: CodeBlock,
  code: ({ children }) => <code className="rounded bg-surface-sunken px-1 py-0.5 font-mono text-[0.85em] text-fg">{children}</code>,
  blockquote: ({ children }) => <blockquote className="space-y-1 border-l-4 border-line-strong pl-3 text-fg-muted">{children}</blockquote>,
  ul: ({ children }) => <ul className="list-disc space-y-0.5 pl-5">{children}</ul>,
  ol: ({ children, start }) => (
    <ol start={start} className="list-decimal space-y-0.5 pl-5">
      {children}
    </ol>
  ),
  li: ({ children }) => <li className="space-y-1">{children}</li>,
  span: ({ children, node }) => {
    const p = node?.properties;
    const name = typeof p?.dataMention === 'string' ? p.dataMention : undefined;
    if (!name) return <>{children}</>;
    const mine = p?.dataMentionMe !== undefined;
    return (
      <span data-mention={name} data-mention-me={mine ? '' : undefined} className={mine ? CHIP_ME : CHIP}>
        {children}
      </span>
    );
  },
};

const EMPTY: ReadonlySet<string> = new Set();

/**
 * A message body rendered as a safe Markdown subset: bold, italic, strikethrough (`~~`), code, code blocks, quotes,
 * lists, http(s)/mailto links (bare URLs too), line breaks on single newlines, and mention chips
 * (`<span data-mention="name">`, plus `data-mention-me` for the viewer and for `@room`/`@here`).
 * Raw HTML shows as text; images show as links; no remote resource is ever loaded. Same body, same output.
 */
export const MessageMarkdown = memo(function MessageMarkdown({ body, mentionedUsernames = EMPTY, meUsername, mentionsRoom = false }: MessageMarkdownProps) {
  const me = meUsername?.toLowerCase();
  const remarkPlugins = useMemo(
    (): Options['remarkPlugins'] => [
      // Single `~` stays text: in chat it means "about" (~5 min), not strikethrough.
      [remarkGfm, { singleTilde: false }],
      remarkChatSubset,
      [remarkMentions, { mentionedUsernames, me, mentionsRoom } satisfies MentionOptions],
      // Last, so that newlines in text made from HTML, tables etc. become <br> too.
      remarkBreaks,
    ],
    [mentionedUsernames, me, mentionsRoom],
  );
  return (
    // whitespace-normal: an inherited pre-wrap would show the newlines react-markdown leaves between blocks.
    <div className="min-w-0 space-y-1 whitespace-normal break-words text-body text-fg">
      <Markdown
        remarkPlugins={remarkPlugins}
        rehypePlugins={REHYPE_PLUGINS}
        urlTransform={urlTransform}
        allowedElements={ALLOWED_ELEMENTS}
        unwrapDisallowed
        components={components}
      >
        {body}
      </Markdown>
    </div>
  );
});

const REHYPE_PLUGINS = [rehypeUnwrapUnsafeLinks];
