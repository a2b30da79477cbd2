/**
 * Files and images in the browser (issue 12), two people in a private room: an image dropped on the room
 * shows at once for both, sized before it loads, and opens in a lightbox; a pasted screenshot goes out with
 * its caption; a PDF with a unicode name comes back byte for byte under its own name; a voice message recorded
 * with Chromium's fake microphone plays in the other browser; what is too big is said before anything is
 * sent, a failed upload is retried, a removed one gives its quota back; the room's Files view lists and opens
 * what was shared; and someone outside the room gets 404 for the very same URLs. The new screens pass axe.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect as baseExpect, test, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { Socket } from 'socket.io-client';
import type { Attachment, UploadLimits } from '../lib/schemas/attachment';
import { createUserViaApi, loginViaApi, randomRoomName, randomUsername } from './helpers';
import { connectRoomSocket, send } from './room-socket';

// Uploads, image processing and two renderers on a 2-core machine that other work may saturate.
const expect = baseExpect.configure({ timeout: 25_000 });

const ROOM_PASSWORD = 'files are private';

interface Person {
  context: BrowserContext;
  page: Page;
  username: string;
  displayName: string;
}

let people: Person[] = [];
let sockets: Socket[] = [];

test.afterEach(async () => {
  for (const socket of sockets) socket.close();
  sockets = [];
  await Promise.all(people.map((p) => p.context.close()));
  people = [];
});

async function person(browser: Browser, options: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark'; microphone?: boolean } = {}): Promise<Person> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 860 },
    colorScheme: options.colorScheme ?? 'light',
    acceptDownloads: true,
  });
  if (options.microphone) await context.grantPermissions(['microphone'], { origin: String(test.info().project.use.baseURL) });
  const page = await context.newPage();
  const { username, displayName } = await createUserViaApi(page, randomUsername('f'));
  await loginViaApi(page, username);
  const created = { context, page, username, displayName };
  people.push(created);
  return created;
}

/** A private room of `owner`'s that `members` joined with its password. */
async function privateRoom(owner: Person, members: Person[]): Promise<string> {
  const response = await owner.page.request.post('/api/rooms', { data: { kind: 'private', name: randomRoomName('files'), description: '', password: ROOM_PASSWORD } });
  expect(response.status()).toBe(201);
  const { room } = (await response.json()) as { room: { id: string } };
  for (const member of members) {
    const joined = await member.page.request.post(`/api/rooms/${room.id}/join`, { data: { password: ROOM_PASSWORD } });
    expect(joined.status()).toBe(200);
  }
  return room.id;
}

async function openRoom(page: Page, roomId: string): Promise<void> {
  await page.goto(`/rooms/${roomId}`);
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeEnabled();
  await expect(page.getByTestId('room-view')).toHaveAttribute('data-connected', 'true');
}

async function png(width: number, height: number, hue: number): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="hsl(${hue},70%,50%)"/><circle cx="${width / 2}" cy="${height / 2}" r="${Math.min(width, height) / 4}" fill="white"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** A small but real PDF (file-type decides from the `%PDF-` magic). */
function pdf(text: string): Buffer {
  return Buffer.from(
    `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n% ${text}\ntrailer<</Root 1 0 R>>\n%%EOF\n`,
  );
}

/** One second of a 440 Hz tone as 8 kHz mono WAV (a recording for seeding, where no microphone is involved). */
function wav(seconds: number): Buffer {
  const rate = 8000;
  const data = Buffer.alloc(rate * seconds * 2);
  for (let i = 0; i < rate * seconds; i += 1) data.writeInt16LE(Math.round(Math.sin((i / rate) * 2 * Math.PI * 440) * 8000), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

interface LocalFile {
  name: string;
  type: string;
  bytes: Buffer;
}

const forPage = (files: LocalFile[]) => files.map((f) => ({ name: f.name, type: f.type, base64: f.bytes.toString('base64') }));

/** Drags files from the desktop onto `target`, as the browser reports it: dragenter, dragover, drop. */
async function dropFiles(page: Page, target: Locator, files: LocalFile[]): Promise<void> {
  const dataTransfer = await page.evaluateHandle((list) => {
    const transfer = new DataTransfer();
    for (const f of list) transfer.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
    return transfer;
  }, forPage(files));
  await target.dispatchEvent('dragenter', { dataTransfer });
  await expect(page.getByTestId('drop-overlay')).toBeVisible();
  await target.dispatchEvent('dragover', { dataTransfer });
  await target.dispatchEvent('drop', { dataTransfer });
  await expect(page.getByTestId('drop-overlay')).toHaveCount(0);
}

/** Pastes files into a text box, as a screenshot pasted from the clipboard arrives. */
async function pasteFiles(box: Locator, files: LocalFile[]): Promise<void> {
  await box.focus();
  await box.evaluate((element, list) => {
    const transfer = new DataTransfer();
    for (const f of list) transfer.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
    element.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
  }, forPage(files));
}

/** Waits until the composer's tray holds `count` files, all uploaded. */
async function trayReady(page: Page, count: number): Promise<void> {
  const tray = page.getByTestId('room-view').getByTestId('tray-item');
  await expect(tray).toHaveCount(count);
  await expect(page.getByTestId('room-view').locator('[data-testid="tray-item"][data-status="done"]')).toHaveCount(count);
}

/** Sends the tray (with a caption or none) and waits for the server's ack. */
async function sendTray(page: Page, caption = ''): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(caption);
  await box.press('Enter');
  await expect(page.getByTestId('room-view').getByTestId('upload-tray')).toHaveCount(0);
  await expect(page.locator('[data-testid="message"][data-status="pending"]')).toHaveCount(0);
}

function rowsWith(page: Page, testId: string): Locator {
  return page.getByTestId('message-scroller').locator('li[data-testid="message"][data-seq]').filter({ has: page.getByTestId(testId) });
}

async function imageLoaded(image: Locator): Promise<void> {
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
}

/** Uploads bytes the way the composer does (octet-stream, name in the query) and returns the attachment. */
async function upload(page: Page, roomId: string, name: string, bytes: Buffer, extra: Record<string, string> = {}): Promise<Attachment> {
  const params = new URLSearchParams({ name, ...extra });
  const response = await page.request.post(`/api/rooms/${roomId}/uploads?${params.toString()}`, { data: bytes, headers: { 'content-type': 'application/octet-stream' } });
  expect(response.status(), await response.text()).toBe(201);
  return ((await response.json()) as { attachment: Attachment }).attachment;
}

async function roomSocket(user: Person, roomId: string): Promise<Socket> {
  const socket = await connectRoomSocket(user.context, roomId);
  sockets.push(socket);
  return socket;
}

test('an image dropped on the room shows for both at once, sized before it loads, and opens in a lightbox', async ({ browser }) => {
  test.setTimeout(120_000);
  const alice = await person(browser);
  const bob = await person(browser);
  const roomId = await privateRoom(alice, [bob]);
  await openRoom(alice.page, roomId);
  await openRoom(bob.page, roomId);

  await dropFiles(alice.page, alice.page.getByTestId('message-scroller'), [{ name: 'harbour.png', type: 'image/png', bytes: await png(1200, 800, 200) }]);
  await trayReady(alice.page, 1);
  await expect(alice.page.getByTestId('tray-item')).toHaveAttribute('data-name', 'harbour.png');
  await sendTray(alice.page);

  for (const { page } of [alice, bob]) {
    const row = rowsWith(page, 'image-preview');
    await expect(row).toHaveCount(1);
    // A file-only message: no text, just the picture.
    await expect(row.getByTestId('message-body')).toHaveText('');
    const image = row.getByTestId('image-preview').locator('img');
    // 1200×800 shown in at most 360 px: the box is 360×240 from the stored size, before and after loading.
    await expect(image).toHaveAttribute('width', '360');
    await expect(image).toHaveAttribute('height', '240');
    await imageLoaded(image);
    const box = (await image.boundingBox())!;
    expect(Math.round(box.width)).toBe(360);
    expect(Math.round(box.height)).toBe(240);
  }

  // Bob opens it: the lightbox zooms with +/−, 0 fits, Esc closes and gives focus back.
  const preview = rowsWith(bob.page, 'image-preview').getByTestId('image-preview');
  await preview.click();
  const lightbox = bob.page.getByTestId('lightbox');
  await expect(lightbox).toBeVisible();
  await expect(lightbox.getByRole('heading', { name: 'harbour.png' })).toBeVisible();
  await imageLoaded(lightbox.getByTestId('lightbox-image'));
  await expect(lightbox.getByTestId('lightbox-download')).toHaveAttribute('href', /^\/api\/files\/[0-9a-f-]+\?download=1$/);
  await bob.page.keyboard.press('+');
  await expect(lightbox).toHaveAttribute('data-zoom', '1.5');
  await bob.page.keyboard.press('+');
  await expect(lightbox).toHaveAttribute('data-zoom', '2');
  await bob.page.keyboard.press('0');
  await expect(lightbox).toHaveAttribute('data-zoom', '1');
  await lightbox.getByTestId('lightbox-image').click();
  await expect(lightbox).toHaveAttribute('data-zoom', '2');
  await bob.page.keyboard.press('Escape');
  await expect(lightbox).toHaveCount(0);
  await expect(preview).toBeFocused();

  // Two more at once: a grid, and ←/→ go between them in the lightbox.
  await dropFiles(alice.page, alice.page.getByTestId('message-scroller'), [
    { name: 'left.png', type: 'image/png', bytes: await png(640, 480, 20) },
    { name: 'right.png', type: 'image/png', bytes: await png(480, 640, 300) },
  ]);
  await trayReady(alice.page, 2);
  await sendTray(alice.page, 'Both sides of the bridge');
  const grid = bob.page.getByTestId('image-grid');
  await expect(grid.getByTestId('image-preview')).toHaveCount(2);
  await grid.getByTestId('image-preview').first().click();
  await expect(lightbox).toHaveAttribute('data-index', '0');
  await expect(lightbox.getByRole('heading', { name: 'left.png' })).toBeVisible();
  await bob.page.keyboard.press('ArrowRight');
  await expect(lightbox).toHaveAttribute('data-index', '1');
  await expect(lightbox.getByRole('heading', { name: 'right.png' })).toBeVisible();
  await bob.page.keyboard.press('ArrowRight');
  await expect(lightbox).toHaveAttribute('data-index', '0');
  await bob.page.keyboard.press('ArrowLeft');
  await expect(lightbox).toHaveAttribute('data-index', '1');
  await bob.page.keyboard.press('Escape');
  await expect(lightbox).toHaveCount(0);
});

test('a pasted screenshot goes out with its caption', async ({ browser }) => {
  const alice = await person(browser);
  const bob = await person(browser);
  const roomId = await privateRoom(alice, [bob]);
  await openRoom(alice.page, roomId);
  await openRoom(bob.page, roomId);

  const box = alice.page.getByRole('textbox', { name: 'Message' });
  await pasteFiles(box, [{ name: 'image.png', type: 'image/png', bytes: await png(800, 450, 120) }]);
  await trayReady(alice.page, 1);
  // Not pasted as text; named after when it was pasted instead of "image.png".
  await expect(box).toHaveValue('');
  await expect(alice.page.getByTestId('tray-item')).toHaveAttribute('data-name', /^Pasted image \d{4}-\d\d-\d\d \d\d\.\d\d\.\d\d\.png$/);
  await sendTray(alice.page, 'The button is cut off here');

  for (const { page } of [alice, bob]) {
    const row = rowsWith(page, 'image-preview');
    await expect(row.getByTestId('message-body')).toHaveText('The button is cut off here');
    await expect(row.getByTestId('image-preview').locator('img')).toHaveAttribute('alt', /^Pasted image .*\.png$/);
    await imageLoaded(row.getByTestId('image-preview').locator('img'));
  }

  // Bob answers in the thread with a screenshot of his own: the thread's composer has its own tray.
  const row = rowsWith(bob.page, 'image-preview');
  await row.hover();
  await row.getByTestId('thread-button').click();
  const thread = bob.page.getByTestId('thread-panel');
  const replyBox = thread.getByRole('textbox', { name: 'Reply in thread' });
  await pasteFiles(replyBox, [{ name: 'image.png', type: 'image/png', bytes: await png(400, 300, 60) }]);
  await expect(thread.locator('[data-testid="tray-item"][data-status="done"]')).toHaveCount(1);
  await expect(bob.page.getByTestId('room-view').getByTestId('tray-item')).toHaveCount(0);
  await replyBox.press('Enter');
  await expect(thread.getByTestId('upload-tray')).toHaveCount(0);
  for (const { page } of [alice, bob]) {
    await expect(page.getByTestId('message').filter({ has: page.getByTestId('thread-summary') }).getByTestId('thread-summary')).toHaveAttribute('data-count', '1');
  }
  await imageLoaded(thread.locator('li[data-seq]').filter({ has: bob.page.getByTestId('image-preview') }).last().getByTestId('image-preview').locator('img'));
});

test('a PDF with a unicode name is uploaded from the paperclip and downloads byte for byte under its name', async ({ browser }) => {
  const alice = await person(browser);
  const bob = await person(browser);
  const roomId = await privateRoom(alice, [bob]);
  await openRoom(alice.page, roomId);
  await openRoom(bob.page, roomId);

  const name = 'Résumé – Q4 plan.pdf';
  const bytes = pdf('the quarterly plan');
  const chooser = alice.page.waitForEvent('filechooser');
  await alice.page.getByRole('button', { name: 'Attach files' }).click();
  await (await chooser).setFiles({ name, mimeType: 'application/pdf', buffer: bytes });
  await trayReady(alice.page, 1);
  await sendTray(alice.page, 'The plan');

  const chip = rowsWith(bob.page, 'file-chip').getByTestId('file-chip');
  await expect(chip).toContainText(name);
  await expect(chip).toContainText('PDF');
  await expect(chip).toHaveAttribute('title', name);
  const [download] = await Promise.all([bob.page.waitForEvent('download'), chip.click()]);
  expect(download.suggestedFilename()).toBe(name);
  expect(Buffer.compare(await readFile((await download.path())!), bytes)).toBe(0);
});

test('voice messages: hold to record and discard, click to record and send, and the other browser plays it', async ({ browser }) => {
  test.setTimeout(120_000);
  const alice = await person(browser, { microphone: true });
  const bob = await person(browser);
  const roomId = await privateRoom(alice, [bob]);
  await openRoom(alice.page, roomId);
  await openRoom(bob.page, roomId);
  const mic = alice.page.getByTestId('room-view').getByTestId('record-voice');
  const clock = alice.page.getByTestId('recording-time');
  const tray = alice.page.getByTestId('room-view').getByTestId('tray-item');

  // Pressed and held: records until released.
  await mic.hover();
  await alice.page.mouse.down();
  await expect(alice.page.getByTestId('recording-bar')).toBeVisible();
  await expect(clock).toHaveText(/^0:0[1-9]$/);
  await alice.page.mouse.up();
  await expect(tray).toHaveCount(1);
  await expect(tray).toHaveAttribute('data-status', 'done');
  await expect(tray.getByTestId('audio-player')).toHaveAttribute('data-voice', 'true');
  await tray.getByTestId('tray-remove').click();
  await expect(tray).toHaveCount(0);

  // Click to start, click to stop; the preview plays before sending.
  await mic.click();
  await expect(mic).toHaveAttribute('aria-pressed', 'true');
  await expect(clock).toHaveText(/^0:0[2-9]$/);
  await mic.click();
  await expect(tray).toHaveAttribute('data-status', 'done');
  const preview = tray.getByTestId('audio-player');
  await expect(preview.getByTestId('audio-time')).toHaveText(/^0:0[2-9]$/);
  await preview.getByTestId('audio-toggle').click();
  await expect(preview).toHaveAttribute('data-playing', 'true');
  await preview.getByTestId('audio-toggle').click();
  await expect(preview).not.toHaveAttribute('data-playing', 'true');
  await sendTray(alice.page);

  const player = rowsWith(bob.page, 'audio-player').getByTestId('audio-player');
  await expect(player).toHaveAttribute('data-voice', 'true');
  await expect(player.getByTestId('audio-time')).toHaveText(/^0:0[2-9]$/);
  await expect(player.getByTestId('audio-seek')).toHaveAttribute('aria-valuetext', /^0:00 of 0:0[2-9]$/);
  await player.getByRole('button', { name: 'Play voice message' }).click();
  await expect(player).toHaveAttribute('data-playing', 'true');
  await expect.poll(() => player.getByTestId('audio-element').evaluate((audio: HTMLAudioElement) => audio.currentTime)).toBeGreaterThan(0.2);
  await player.getByRole('button', { name: 'Pause voice message' }).click();
  await expect(player).not.toHaveAttribute('data-playing', 'true');
});

test('a microphone the browser refuses is explained, and nothing is recorded', async ({ browser }) => {
  const alice = await person(browser);
  const roomId = await privateRoom(alice, []);
  // Denied for real, as a person's "Block" in the site settings does.
  const cdp = await browser.newBrowserCDPSession();
  const page = await alice.context.newCDPSession(alice.page);
  const { targetInfo } = await page.send('Target.getTargetInfo');
  await cdp.send('Browser.setPermission', {
    permission: { name: 'microphone' },
    setting: 'denied',
    origin: String(test.info().project.use.baseURL),
    browserContextId: targetInfo.browserContextId,
  });
  await openRoom(alice.page, roomId);
  await alice.page.getByTestId('room-view').getByTestId('record-voice').click();
  await expect(alice.page.getByTestId('recorder-problem')).toHaveText(/Microphone access is blocked/);
  await expect(alice.page.getByTestId('recording-bar')).toHaveCount(0);
  await expect(alice.page.getByTestId('tray-item')).toHaveCount(0);
  await cdp.detach();
});

test('too big is said before sending; a failed upload is retried; a removed one gives its quota back', async ({ browser }) => {
  test.setTimeout(120_000);
  const alice = await person(browser);
  const roomId = await privateRoom(alice, []);
  await openRoom(alice.page, roomId);
  const limits = (await (await alice.page.request.get('/api/uploads')).json()) as UploadLimits;
  const posted: string[] = [];
  alice.page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().includes('/uploads?')) posted.push(new URL(request.url()).searchParams.get('name') ?? '');
  });

  // The first upload attempt fails on the way (the connection drops); Retry sends it again.
  let failNext = true;
  await alice.page.route('**/uploads?*', async (route) => {
    if (failNext && route.request().method() === 'POST') {
      failNext = false;
      return route.abort('connectionreset');
    }
    return route.continue();
  });
  const chooser = alice.page.waitForEvent('filechooser');
  await alice.page.getByRole('button', { name: 'Attach files' }).click();
  await (await chooser).setFiles([
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('meeting notes\n'.repeat(100)) },
    { name: 'huge.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(limits.maxBytes + 1, 7) },
  ]);
  const items = alice.page.getByTestId('tray-item');
  const notes = items.filter({ hasText: 'notes.txt' });
  const huge = items.filter({ hasText: 'huge.bin' });
  await expect(huge).toHaveAttribute('data-status', 'refused');
  await expect(huge.getByTestId('tray-error')).toHaveText(/^huge\.bin is too big \(.+\)\. Files can be up to \d+ MB\.$/);
  await expect(notes).toHaveAttribute('data-status', 'failed');
  await expect(notes.getByTestId('tray-error')).toContainText('interrupted');
  const send = alice.page.getByRole('button', { name: 'Send' });
  await expect(send).toBeDisabled();
  await notes.getByRole('button', { name: 'Retry uploading notes.txt' }).click();
  await expect(notes).toHaveAttribute('data-status', 'done');
  await expect(send).toBeDisabled(); // the refused file still has to go
  await huge.getByRole('button', { name: 'Remove huge.bin' }).click();
  await expect(send).toBeEnabled();
  expect(posted).toEqual(['notes.txt', 'notes.txt']);

  // Removing the uploaded one deletes it on the server: the quota comes back.
  const used = async () => ((await (await alice.page.request.get('/api/uploads')).json()) as UploadLimits).usedBytes;
  const withNotes = await used();
  expect(withNotes).toBeGreaterThanOrEqual(1400);
  await notes.getByRole('button', { name: 'Remove notes.txt' }).click();
  await expect(items).toHaveCount(0);
  await expect.poll(used).toBe(withNotes - 1400);
});

test('the Files view lists what was shared, newest first, by kind, and opens the message', async ({ browser }) => {
  test.setTimeout(120_000);
  const alice = await person(browser);
  const roomId = await privateRoom(alice, []);
  const socket = await roomSocket(alice, roomId);
  const photo = await upload(alice.page, roomId, 'photo.png', await png(900, 600, 40));
  const first = await send(socket, { body: 'The photo', attachments: [photo.id] });
  for (let i = 0; i < 12; i += 1) await send(socket, { body: `filler ${i}` });
  const report = await upload(alice.page, roomId, 'report.pdf', pdf('report'));
  await send(socket, { body: '', attachments: [report.id] });
  const voice = await upload(alice.page, roomId, 'Voice message.wav', wav(1), { voice: '1', durationMs: '1000', waveform: 'gICAgA' });
  const root = await send(socket, { body: 'A thread with a recording' });
  const reply = await send(socket, { body: '', attachments: [voice.id], threadRootSeq: root.seq });

  await openRoom(alice.page, roomId);
  await alice.page.getByTestId('files-button').click();
  const panel = alice.page.getByTestId('files-panel');
  const entries = panel.getByTestId('shared-file');
  await expect(entries).toHaveCount(3);
  await expect(entries.nth(0)).toHaveAttribute('data-attachment-id', voice.id);
  await expect(entries.nth(1)).toHaveAttribute('data-attachment-id', report.id);
  await expect(entries.nth(2)).toHaveAttribute('data-attachment-id', photo.id);
  await expect(entries.nth(0)).toContainText('Voice message');
  await expect(entries.nth(0)).toContainText('0:01');

  // Open, the list is live: a file sent meanwhile shows at the top; deleting its message takes it away.
  const late = await upload(alice.page, roomId, 'late.pdf', pdf('late'));
  const lateMessage = await send(socket, { body: 'One more', attachments: [late.id] });
  await expect(entries).toHaveCount(4);
  await expect(entries.nth(0)).toHaveAttribute('data-attachment-id', late.id);
  const deleted = (await socket.timeout(10_000).emitWithAck('message:delete', { seq: lateMessage.seq })) as { ok: boolean };
  expect(deleted.ok).toBe(true);
  await expect(entries).toHaveCount(3);

  await panel.getByRole('button', { name: 'Images', exact: true }).click();
  await expect(entries).toHaveCount(1);
  await expect(entries.first()).toHaveAttribute('data-attachment-id', photo.id);
  // The photo's message is well above the fold: opening it scrolls there and highlights it.
  await entries.first().getByTestId('shared-file-open').click();
  await expect(panel).toHaveCount(0);
  await expect(alice.page.locator(`li[data-seq="${first.seq}"]`)).toHaveAttribute('data-highlighted', 'true');

  // A file in a thread opens its thread.
  await alice.page.getByTestId('files-button').click();
  await panel.getByRole('button', { name: 'Audio', exact: true }).click();
  await expect(entries).toHaveCount(1);
  await entries.first().getByTestId('shared-file-open').click();
  const thread = alice.page.getByTestId('thread-panel');
  await expect(thread).toHaveAttribute('data-root-seq', String(root.seq));
  await expect(thread.locator(`li[data-seq="${reply.seq}"]`)).toHaveAttribute('data-highlighted', 'true');
});

test('someone outside the private room gets 404 for its file, thumbnail and download URLs; members get the bytes', async ({ browser, playwright }) => {
  const alice = await person(browser);
  const bob = await person(browser);
  const carol = await person(browser);
  const roomId = await privateRoom(alice, [bob]);
  const socket = await roomSocket(alice, roomId);
  const bytes = await png(640, 400, 90);
  const image = await upload(alice.page, roomId, 'private.png', bytes);
  await send(socket, { body: 'For members only', attachments: [image.id] });
  expect(image.thumbnail).not.toBeNull();

  const ok = await bob.page.request.get(image.url);
  expect(ok.status()).toBe(200);
  expect((await ok.body()).length).toBe(image.size);
  expect((await bob.page.request.get(image.thumbnail!.url)).status()).toBe(200);

  for (const url of [image.url, `${image.url}?download=1`, image.thumbnail!.url]) {
    expect((await carol.page.request.get(url)).status(), url).toBe(404);
    // Opened in her browser, as a copied link would be.
    expect((await carol.page.goto(url))?.status(), url).toBe(404);
  }
  const anonymous = await playwright.request.newContext({ baseURL: String(test.info().project.use.baseURL) });
  expect((await anonymous.get(image.url)).status()).toBe(404);
  await anonymous.dispose();
});

/** axe (WCAG 2.x A and AA) over the page, with a screenshot kept in the test's output folder. */
async function expectAccessible(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const serious = results.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious');
  const path = test.info().outputPath(`${name}.png`);
  await page.screenshot({ path });
  await test.info().attach(name, { path, contentType: 'image/png' });
  expect(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    `${name}: critical or serious axe violations`,
  ).toEqual([]);
}

const viewports = { desktop: { width: 1280, height: 860 }, phone: { width: 320, height: 640 } } as const;

for (const [size, viewport] of Object.entries(viewports)) {
  for (const colorScheme of ['light', 'dark'] as const) {
    test(`files pass axe: previews, players, chips, the tray, the lightbox and the Files view (${size}, ${colorScheme})`, async ({ browser }) => {
      test.setTimeout(150_000);
      const alice = await person(browser, { viewport, colorScheme });
      const roomId = await privateRoom(alice, []);
      const socket = await roomSocket(alice, roomId);
      const images = [await upload(alice.page, roomId, 'one.png', await png(800, 600, 10)), await upload(alice.page, roomId, 'two.png', await png(600, 800, 150))];
      await send(socket, { body: 'Two photos', attachments: images.map((i) => i.id) });
      const voice = await upload(alice.page, roomId, 'Voice message.wav', wav(2), { voice: '1', durationMs: '2000', waveform: 'IEBggKDA4P_gwKCAYEAg' });
      await send(socket, { body: '', attachments: [voice.id] });
      const report = await upload(alice.page, roomId, 'A rather long report name that will not fit on one line.pdf', pdf('a11y'));
      await send(socket, { body: 'The report', attachments: [report.id] });

      await openRoom(alice.page, roomId);
      await imageLoaded(alice.page.getByTestId('image-preview').last().locator('img'));
      await dropFiles(alice.page, alice.page.getByTestId('message-scroller'), [
        { name: 'draft.png', type: 'image/png', bytes: await png(300, 200, 250) },
        { name: 'notes.txt', type: 'text/plain', bytes: Buffer.from('notes') },
      ]);
      await trayReady(alice.page, 2);
      await expectAccessible(alice.page, `files-timeline-${size}-${colorScheme}`);

      await alice.page.getByTestId('image-preview').first().click();
      await imageLoaded(alice.page.getByTestId('lightbox-image'));
      await expectAccessible(alice.page, `files-lightbox-${size}-${colorScheme}`);
      await alice.page.keyboard.press('Escape');

      await alice.page.getByTestId('files-button').click();
      await expect(alice.page.getByTestId('shared-file')).toHaveCount(4);
      await expectAccessible(alice.page, `files-view-${size}-${colorScheme}`);
    });
  }
}
