/**
 * Closing a room namespace's socket safely on a shared connection.
 *
 * A socket closed while its connect is still unanswered cannot just be dropped: Socket.IO's client sends
 * nothing for a socket that is not connected yet, so the server admits it anyway and keeps it — and the
 * next opening of that room on the connection is a second CONNECT for a namespace the server holds, which
 * Socket.IO answers by closing the whole connection ("invalid state": every namespace of the tab drops
 * and reconnects). Two openings overlapping on the server also get every broadcast twice. So such a
 * socket is closed once the server has answered; opening the room again meanwhile keeps it instead.
 */
import type { Socket } from 'socket.io-client';

/** Sockets whose close waits for their connect, with the way to call that close off. */
const closingOnConnect = new Map<Socket, () => void>();

export function closeRoomSocket(socket: Socket): void {
  if (!socket.active || socket.connected) {
    socket.disconnect();
    return;
  }
  const settle = () => {
    cancel();
    socket.disconnect(); // connected now: the server hears it; refused: there is nothing to tell
  };
  const refused = () => {
    if (!socket.active) settle(); // a final refusal (transport trouble keeps it active: it connects again)
  };
  const cancel = () => {
    closingOnConnect.delete(socket);
    socket.off('connect', settle);
    socket.off('connect_error', refused);
  };
  closingOnConnect.set(socket, cancel);
  socket.on('connect', settle);
  socket.on('connect_error', refused);
}

/** The room is opened again on this socket: a close still waiting for its connect is called off. */
export function keepRoomSocket(socket: Socket): void {
  closingOnConnect.get(socket)?.();
}
