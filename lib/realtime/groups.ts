/** Socket.IO room names ("groups" here, so as not to be confused with chat rooms), in one place. */

/** Every socket of a user: main namespace (each tab) and, in room namespaces, that room's sockets. */
export function userRoom(userId: string): `user:${string}` {
  return `user:${userId}`;
}

/** Main-namespace group of every tab of every member of a room: unread activity goes here. */
export function membersRoom(roomId: string): `members:${string}` {
  return `members:${roomId}`;
}

/** Main-namespace group of the tabs that follow a user's presence. */
export function watchRoom(userId: string): `watch:${string}` {
  return `watch:${userId}`;
}
