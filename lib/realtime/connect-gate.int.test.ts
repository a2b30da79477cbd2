import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom } from '../data/rooms';
import { getDb } from '../db';
import { createConnectGate } from './connect-gate';
import { createTestUser, eventually, holdConnectGate, openTab, startTestRealtime, uniqueName, type TestRealtime } from '../testing/realtime';

// One step at a time, so the test can hold the line with a step of its own.
const gate = createConnectGate(1);
let server: TestRealtime;
beforeAll(async () => {
  server = await startTestRealtime({ connectGate: gate });
});
afterAll(async () => {
  await server.close();
});

const holdGate = () => holdConnectGate(gate);

describe('connect gate: work for clients that left is skipped', () => {
  it('does not admit a room (nor join its user) for a connection that closed while the admission waited in line', async () => {
    const [owner, visitor] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await createRoom({ ownerId: owner.id, data: { kind: 'public', name: uniqueName('room'), description: '' }, ip: null });
    // One Manager = one connection (a browser tab): its session is checked and set up before the gate is held.
    const { manager: tab, main } = await openTab(server.url, visitor);
    await eventually(() => gate.activeCount === 0 && gate.pendingCount === 0);

    const release = holdGate();
    const roomSocket = tab.socket(`/r/${room.id}`); // connects at once (autoConnect)
    await eventually(() => gate.pendingCount === 1); // the room's admission, in line behind the held step
    // The client gives up (a closed tab): the connection is gone before the admission's turn comes.
    roomSocket.close();
    main.close();
    await eventually(() => server.io.engine.clientsCount === 0);
    release();
    await eventually(() => gate.activeCount === 0 && gate.pendingCount === 0);

    // A public room admits by joining: had the admission run, the visitor would now be a member.
    const membership = await getDb().membership.findFirst({ where: { roomId: room.id, userId: visitor.id } });
    expect(membership).toBeNull();
  });
});
