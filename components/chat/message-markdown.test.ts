import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { parseFragment, type DefaultTreeAdapterTypes } from 'parse5';
import { describe, expect, it } from 'vitest';
import { MessageMarkdown, isAllowedUrl, type MessageMarkdownProps } from './message-markdown';

type Node = DefaultTreeAdapterTypes.Node;
type Element = DefaultTreeAdapterTypes.Element;

function render(body: string, props: Omit<MessageMarkdownProps, 'body'> = {}): string {
  return renderToStaticMarkup(createElement(MessageMarkdown, { body, ...props }));
}

function isElement(node: Node): node is Element {
  return 'tagName' in node;
}

function children(node: Node): Node[] {
  // <template> keeps its children in `content`; none should appear, but walk them if one did.
  const own = 'childNodes' in node ? node.childNodes : [];
  const content = isElement(node) && node.tagName === 'template' && 'content' in node ? [node.content as Node] : [];
  return [...own, ...content];
}

function elements(html: string): Element[] {
  const found: Element[] = [];
  const walk = (node: Node) => {
    if (isElement(node)) found.push(node);
    children(node).forEach(walk);
  };
  walk(parseFragment(html));
  return found;
}

function attr(el: Element, name: string): string | undefined {
  return el.attrs.find((a) => a.name === name)?.value;
}

function textOf(node: Node): string {
  if (node.nodeName === '#text' && 'value' in node) return node.value;
  return children(node).map(textOf).join('');
}

function text(html: string): string {
  return textOf(parseFragment(html));
}

function find(html: string, test: (el: Element) => boolean): Element[] {
  return elements(html).filter(test);
}

const ALLOWED_TAGS = new Set(['p', 'br', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'span', 'button', 'div']);
const ALLOWED_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** The safety contract, checked on the HTML as a browser's parser sees it. Throws on the first violation. */
function assertSafe(html: string): void {
  for (const el of elements(html)) {
    if (!ALLOWED_TAGS.has(el.tagName)) throw new Error(`element <${el.tagName}> is not allowed`);
    for (const { name, value } of el.attrs) {
      if (name.toLowerCase().startsWith('on')) throw new Error(`event handler attribute ${name} on <${el.tagName}>`);
      if (name.toLowerCase() === 'style') throw new Error(`style attribute on <${el.tagName}>`);
      if (name.toLowerCase() === 'src') throw new Error(`src attribute on <${el.tagName}>`);
      if (name.toLowerCase() === 'href') {
        let protocol: string;
        try {
          protocol = new URL(value).protocol;
        } catch {
          throw new Error(`href ${JSON.stringify(value)} is not an absolute URL`);
        }
        if (!ALLOWED_PROTOCOLS.has(protocol) || !/^(https?:\/\/|mailto:)/i.test(value)) throw new Error(`href ${JSON.stringify(value)} is not http(s)/mailto`);
      }
    }
    if (el.tagName === 'a') {
      if (attr(el, 'target') !== '_blank') throw new Error('link without target=_blank');
      if (attr(el, 'rel') !== 'noopener noreferrer nofollow') throw new Error(`link rel is ${attr(el, 'rel')}`);
    }
  }
}

describe('assertSafe (the checker itself)', () => {
  it.each([
    ['<img src="x">', /element <img>/],
    ['<p onclick="alert(1)">x</p>', /event handler/],
    ['<p style="color:red">x</p>', /style attribute/],
    ['<a href="javascript:alert(1)" target="_blank" rel="noopener noreferrer nofollow">x</a>', /not http/],
    ['<a href="&#106;avascript:alert(1)" target="_blank" rel="noopener noreferrer nofollow">x</a>', /not http/],
    ['<a href="//evil.com" target="_blank" rel="noopener noreferrer nofollow">x</a>', /not an absolute URL/],
    ['<a href="https://ok.example">x</a>', /target/],
    ['<div><svg><a href="x">y</a></svg></div>', /element <svg>/],
  ])('rejects %s', (html, message) => {
    expect(() => assertSafe(html)).toThrow(message);
  });

  it('accepts a safe link', () => {
    expect(() => assertSafe('<p><a href="https://ok.example/a?b" target="_blank" rel="noopener noreferrer nofollow">x</a></p>')).not.toThrow();
  });
});

describe('isAllowedUrl', () => {
  it.each(['https://example.com', 'http://example.com/a?b#c', 'HTTPS://EXAMPLE.COM', 'mailto:a@example.com'])('allows %s', (url) => {
    expect(isAllowedUrl(url)).toBe(true);
  });
  it.each(['javascript:alert(1)', ' https://example.com', '\u0001javascript:alert(1)', 'java\tscript:x', 'data:text/html,x', 'vbscript:x', '//evil.com', '/relative', 'relative', '#frag', 'ftp://example.com', 'https://', ''])(
    'rejects %j',
    (url) => {
      expect(isAllowedUrl(url)).toBe(false);
    },
  );
});

describe('MessageMarkdown features', () => {
  it('renders bold, italic, strikethrough and inline code', () => {
    const html = render('**bold** *it* _it2_ ~~gone~~ `a < b`');
    expect(find(html, (e) => e.tagName === 'strong').map(textOf)).toEqual(['bold']);
    expect(find(html, (e) => e.tagName === 'em').map(textOf)).toEqual(['it', 'it2']);
    expect(find(html, (e) => e.tagName === 'del').map(textOf)).toEqual(['gone']);
    const [code] = find(html, (e) => e.tagName === 'code');
    expect(code && textOf(code)).toBe('a < b');
    expect(code && attr(code, 'class')).toContain('bg-surface-sunken');
  });

  it('leaves a single tilde alone (chat uses it for "about")', () => {
    const html = render('~5 min or ~10~');
    expect(find(html, (e) => e.tagName === 'del')).toEqual([]);
    expect(text(html)).toBe('~5 min or ~10~');
  });

  it('turns a single newline into <br>, keeps paragraphs for blank lines', () => {
    const html = render('one\ntwo\n\nthree');
    expect(find(html, (e) => e.tagName === 'br')).toHaveLength(1);
    expect(find(html, (e) => e.tagName === 'p').map(textOf)).toEqual(['one\ntwo', 'three']);
  });

  it('renders a fenced code block that scrolls sideways, with a language label and a Copy button', () => {
    const html = render('```ts\nconst x = "<b>" && `y`;\n  indented\n```');
    const [pre] = find(html, (e) => e.tagName === 'pre');
    expect(pre).toBeDefined();
    expect(attr(pre!, 'class')).toContain('overflow-x-auto');
    expect(attr(pre!, 'class')).toContain('font-mono');
    expect(textOf(pre!)).toBe('const x = "<b>" && `y`;\n  indented');
    const [button] = find(html, (e) => e.tagName === 'button');
    expect(button && attr(button, 'aria-label')).toBe('Copy code');
    expect(button && attr(button, 'type')).toBe('button');
    expect(button && textOf(button)).toBe('Copy');
    expect(text(html)).toContain('ts');
    expect(find(html, (e) => e.tagName === 'b')).toEqual([]);
  });

  it('renders an indented code block and a code block without language', () => {
    const html = render('```\nplain\n```\n\n    four spaces');
    expect(find(html, (e) => e.tagName === 'pre').map(textOf)).toEqual(['plain', 'four spaces']);
    expect(find(html, (e) => e.tagName === 'button')).toHaveLength(2);
  });

  it('renders block quotes with a left border', () => {
    const html = render('> quoted\n> still\n\nafter');
    const [quote] = find(html, (e) => e.tagName === 'blockquote');
    expect(quote && textOf(quote).trim()).toBe('quoted\nstill');
    expect(quote && attr(quote, 'class')).toContain('border-l');
  });

  it('renders ordered, unordered and nested lists', () => {
    const html = render('- a\n- b\n  1. b1\n  2. b2\n- c\n\n3. three\n4. four');
    const lists = find(html, (e) => e.tagName === 'ul' || e.tagName === 'ol');
    expect(lists.map((l) => l.tagName)).toEqual(['ul', 'ol', 'ol']);
    expect(attr(lists[2]!, 'start')).toBe('3');
    expect(find(html, (e) => e.tagName === 'li')).toHaveLength(7);
    const nested = find(html, (e) => e.tagName === 'ol' && e.parentNode !== null && isElement(e.parentNode) && e.parentNode.tagName === 'li');
    expect(nested).toHaveLength(1);
  });

  it('links explicit links, bare URLs, www. and e-mail addresses, all opening safely in a new tab', () => {
    const html = render('[docs](https://example.com/docs "The docs") see https://example.com/a_(b) or www.example.org, mail me@example.com');
    const links = find(html, (e) => e.tagName === 'a');
    expect(links.map((a) => attr(a, 'href'))).toEqual(['https://example.com/docs', 'https://example.com/a_(b)', 'http://www.example.org', 'mailto:me@example.com']);
    for (const a of links) {
      expect(attr(a, 'target')).toBe('_blank');
      expect(attr(a, 'rel')).toBe('noopener noreferrer nofollow');
      expect(attr(a, 'class')).toContain('underline');
    }
    expect(attr(links[0]!, 'title')).toBe('The docs');
  });

  it('renders links with other URLs as their label, not as links', () => {
    const html = render('[a](javascript:alert(1)) [b](/relative) [c](//evil.com) [d](ftp://x.example) <javascript:alert(2)>');
    expect(find(html, (e) => e.tagName === 'a')).toEqual([]);
    expect(text(html)).toBe('a b c d javascript:alert(2)');
  });

  it('renders images as a link to the image, labelled with the alt text, never <img>', () => {
    const html = render('![a cat](https://example.com/cat.png) ![](https://example.com/x.png) ![bad](javascript:alert(1)) [![inner](https://i.example/i.png)](https://example.com/page)');
    expect(find(html, (e) => e.tagName === 'img')).toEqual([]);
    const links = find(html, (e) => e.tagName === 'a');
    expect(links.map((a) => [attr(a, 'href'), textOf(a)])).toEqual([
      ['https://example.com/cat.png', 'a cat'],
      ['https://example.com/x.png', 'https://example.com/x.png'],
      ['https://example.com/page', 'inner'],
    ]);
    expect(text(html)).toContain('bad');
  });

  it('renders reference links and reference images by their definitions', () => {
    const html = render('[one][1] and ![pic][2]\n\n[1]: https://example.com/1\n[2]: https://example.com/2.png');
    const links = find(html, (e) => e.tagName === 'a');
    expect(links.map((a) => [attr(a, 'href'), textOf(a)])).toEqual([
      ['https://example.com/1', 'one'],
      ['https://example.com/2.png', 'pic'],
    ]);
  });

  it('renders headings as a bold paragraph', () => {
    const html = render('# Big news\n\nbody\n\nSetext\n===');
    expect(find(html, (e) => /^h\d$/.test(e.tagName))).toEqual([]);
    expect(find(html, (e) => e.tagName === 'p').map((p) => p.childNodes.filter(isElement).map((c) => c.tagName).join())).toEqual(['strong', '', 'strong']);
    expect(text(html)).toBe('Big news\nbody\nSetext');
  });

  it('renders rules, tables, footnotes and task lists as plain readable text', () => {
    const html = render('***\n\n| a | **b** |\n|---|---|\n| 1 | 2 |\n\nnote[^1]\n\n[^1]: the note\n\n- [x] done\n- [ ] todo');
    for (const tag of ['hr', 'table', 'tr', 'td', 'th', 'input', 'sup', 'section', 'h2']) expect(find(html, (e) => e.tagName === tag)).toEqual([]);
    const paragraphs = find(html, (e) => e.tagName === 'p').map(textOf);
    expect(paragraphs).toEqual(['***', 'a | b\n1 | 2', 'note[^1]', '[^1]: the note']);
    expect(find(html, (e) => e.tagName === 'strong').map(textOf)).toEqual(['b']);
    expect(find(html, (e) => e.tagName === 'li').map(textOf)).toEqual(['[x] done', '[ ] todo']);
    expect(() => assertSafe(html)).not.toThrow();
  });

  it('shows raw HTML as the literal text that was typed', () => {
    const html = render('<script>alert(1)</script>\n\nhi <b>there</b> <!-- c -->');
    expect(find(html, (e) => e.tagName === 'script' || e.tagName === 'b')).toEqual([]);
    expect(text(html)).toBe('<script>alert(1)</script>\nhi <b>there</b> <!-- c -->');
  });

  it('wraps long words so a narrow screen does not scroll', () => {
    const [root] = elements(render('a'.repeat(300)));
    expect(attr(root!, 'class')).toContain('break-words');
    expect(attr(root!, 'class')).toContain('min-w-0');
    expect(attr(root!, 'class')).toContain('whitespace-normal');
  });

  it('is deterministic and memoized', () => {
    const body = '**x** @alice https://example.com\n```\ncode\n```';
    const props = { mentionedUsernames: new Set(['alice']), meUsername: 'bob' };
    expect(render(body, props)).toBe(render(body, props));
    expect((MessageMarkdown as unknown as { $$typeof: symbol }).$$typeof).toBe(Symbol.for('react.memo'));
  });
});

describe('MessageMarkdown mentions', () => {
  const mentionedUsernames = new Set(['alice', 'bob_2', 'me_user']);
  const chips = (html: string) => find(html, (e) => attr(e, 'data-mention') !== undefined).map((e) => [attr(e, 'data-mention'), textOf(e), attr(e, 'data-mention-me') !== undefined]);

  it('renders mentioned usernames as chips, matched case-insensitively', () => {
    const html = render('hi @alice, @Bob_2 and @carol!', { mentionedUsernames });
    expect(chips(html)).toEqual([
      ['alice', '@alice', false],
      ['bob_2', '@Bob_2', false],
    ]);
    const [chip] = find(html, (e) => e.tagName === 'span' && attr(e, 'data-mention') === 'alice');
    expect(attr(chip!, 'class')).toContain('bg-accent-soft');
  });

  it('highlights my own mention more strongly', () => {
    const html = render('ping @ME_USER and @alice', { mentionedUsernames, meUsername: 'me_user' });
    expect(chips(html)).toEqual([
      ['me_user', '@ME_USER', true],
      ['alice', '@alice', false],
    ]);
    const me = find(html, (e) => attr(e, 'data-mention-me') !== undefined);
    expect(me).toHaveLength(1);
    expect(attr(me[0]!, 'data-mention-me')).toBe('');
    expect(attr(me[0]!, 'class')).toContain('bg-warning-soft');
  });

  it('renders @room and @here as highlighted chips only when the message mentions the room', () => {
    expect(chips(render('@room @here', { mentionsRoom: true }))).toEqual([
      ['room', '@room', true],
      ['here', '@here', true],
    ]);
    expect(chips(render('@room @here', { mentionedUsernames: new Set(['room', 'here']) }))).toEqual([]);
  });

  it('makes no chip inside inline code, code blocks or links', () => {
    const html = render('`@alice`\n\n```\n@alice\n```\n\n[@alice](https://example.com) https://example.com/@alice', { mentionedUsernames });
    expect(chips(html)).toEqual([]);
    expect(text(html)).toContain('@alice');
  });

  it('makes chips inside emphasis, quotes, lists and headings', () => {
    const html = render('**@alice**\n> @alice\n\n- @alice\n\n# @alice', { mentionedUsernames });
    expect(chips(html)).toHaveLength(4);
  });

  it('needs a boundary before the @ and 3 to 32 username characters', () => {
    const names = new Set(['ab', 'abc', 'a'.repeat(32), 'a'.repeat(33), 'host']);
    const html = render(`@ab @abc user@host @@abc @${'a'.repeat(32)} @${'a'.repeat(33)} alice@example.com`, { mentionedUsernames: names });
    expect(chips(html).map(([name]) => name)).toEqual(['abc', 'a'.repeat(32)]);
  });

  it('keeps HTML around a mention as text', () => {
    const html = render('<b>@alice</b><img src=x onerror="@alice">', { mentionedUsernames });
    expect(chips(html)).toHaveLength(2);
    expect(text(html)).toBe('<b>@alice</b><img src=x onerror="@alice">');
    expect(() => assertSafe(html)).not.toThrow();
  });
});

/** Payloads aimed at every way Markdown or HTML could smuggle script, styles, remote loads or unsafe links. */
const XSS: string[] = [
  // Raw HTML
  '<script>alert(1)</script>',
  '<SCRIPT SRC=https://evil.example/x.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<img src="https://evil.example/track.png">',
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<style>body{display:none}</style>',
  '<p style="position:fixed;inset:0">overlay</p>',
  '<a href="javascript:alert(1)">x</a>',
  '<a href="https://ok.example" onclick="alert(1)">x</a>',
  '<!-- <img src=x onerror=alert(1)> -->',
  '<base href="https://evil.example/">',
  '<form action="https://evil.example"><input name=p><button>go</button></form>',
  '<meta http-equiv="refresh" content="0;url=https://evil.example">',
  '<object data="https://evil.example/x.swf"></object>',
  '<embed src="https://evil.example/x.swf">',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<details open ontoggle=alert(1)>',
  '<video><source onerror=alert(1)></video>',
  '<body onload=alert(1)>',
  '<div>\n<img src=x onerror=alert(1)>\n</div>',
  '<template><img src=x onerror=alert(1)></template>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<link rel=stylesheet href=https://evil.example/x.css>',
  '<input autofocus onfocus=alert(1)>',
  '<textarea><img src=x onerror=alert(1)></textarea>',
  // Markdown links
  '[x](javascript:alert(1))',
  '[x](JaVaScRiPt:alert(1))',
  '[x](&#106;avascript:alert(1))',
  '[x](&#x6A;&#x61;vascript:alert(1))',
  '[x](javascript&colon;alert(1))',
  '[x](java%0Ascript:alert(1))',
  '[x](<java\tscript:alert(1)>)',
  '[x](<\u0001javascript:alert(1)>)',
  '[x]( javascript:alert(1))',
  '[x](<javascript:alert(1)>)',
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[x](vbscript:msgbox(1))',
  '[x](//evil.example)',
  '[x](/\\evil.example)',
  '[x](file:///etc/passwd)',
  '[x](https://ok.example "\\" onmouseover=\\"alert(1)")',
  "[x](https://ok.example 'a\" style=\"x')",
  '[x](https://ok.example (") onclick=alert(1) x="))',
  '[x](https://ok.example\\" onmouseover=\\"alert(1))',
  '[<img src=x onerror=alert(1)>](https://ok.example)',
  '[x](https://ok.example)<img src=x onerror=alert(1)>',
  // Reference links and definitions
  '[x][r]\n\n[r]: javascript:alert(1)',
  '[x]\n\n[x]: JaVaScRiPt:alert(1) "t"',
  '[x][r]\n\n[r]: <data:text/html,<script>alert(1)</script>>',
  '[x][r]\n\n[r]: https://ok.example "t\\" onclick=\\"alert(1)"',
  // Images
  '![x](javascript:alert(1))',
  '![x](https://evil.example/track.png)',
  '![x" onerror="alert(1)](https://ok.example/a.png)',
  '![x](data:image/svg+xml,<svg onload=alert(1)>)',
  '![x][i]\n\n[i]: javascript:alert(1)',
  '[![x](javascript:alert(1))](https://ok.example)',
  // Autolinks
  '<javascript:alert(1)>',
  '<JAVASCRIPT:alert(1)>',
  '<vbscript:msgbox(1)>',
  '<data:text/html,x>',
  'javascript:alert(1)',
  'https://ok.example/"onmouseover="alert(1)',
  'www.ok.example/<script>alert(1)</script>',
  'a@evil.example<img src=x onerror=alert(1)>',
  // Code and structure
  '```html\n<script>alert(1)</script>\n```',
  '```"><img src=x onerror=alert(1)>\nx\n```',
  '```js onload=alert(1)\nx\n```',
  '`<img src=x onerror=alert(1)>`',
  '> <iframe src=javascript:alert(1)>',
  '- <svg onload=alert(1)>\n  - [x](javascript:alert(1))',
  '# <img src=x onerror=alert(1)>',
  '| <script>x</script> | [x](javascript:alert(1)) |\n|---|---|\n| ![i](https://evil.example/i.png) | b |',
  'x[^1]\n\n[^1]: <img src=x onerror=alert(1)> [y](javascript:alert(1))',
  '- [ ] <input type=checkbox checked onclick=alert(1)>',
  // Mentions combined with HTML and links
  '@alice<img src=x onerror=alert(1)>',
  '<a href="javascript:alert(1)">@alice</a>',
  '[@alice](javascript:alert(1))',
  '@room <script>alert(1)</script> @me_user',
  '**@alice**<style>*{}</style>',
];

describe('MessageMarkdown XSS corpus', () => {
  it('has at least 50 payloads', () => {
    expect(XSS.length).toBeGreaterThanOrEqual(50);
  });

  const props = { mentionedUsernames: new Set(['alice', 'me_user']), meUsername: 'me_user', mentionsRoom: true };
  it.each(XSS.map((payload) => [JSON.stringify(payload), payload] as const))('%s renders only allowed elements and attributes', (_, payload) => {
    assertSafe(render(payload, props));
  });

  it('keeps raw HTML visible as text rather than dropping it', () => {
    expect(text(render('<script>alert(1)</script>'))).toBe('<script>alert(1)</script>');
    expect(text(render('<img src=x onerror=alert(1)>'))).toBe('<img src=x onerror=alert(1)>');
  });
});
