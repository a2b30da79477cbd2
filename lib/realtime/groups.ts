/** Socket.IO room names ("groups" here, so as not to be confused with chat rooms), in one place. */

/**
 * Every tab (main-namespace socket) of a user. Room namespaces have no such group: bus.ts finds a user's
 * sockets in a room by a pass over the room's sockets, cheaper than a Set per room socket.
 */
export function userRoom(userId: string): `user:${string}` {
  return `user:${userId}`;
}

/** Main-namespace group of every tab of every member of a room: unread activity goes here. */
export function membersRoom(roomId: string): `members:${string}` {
  return shared(`members:${roomId}`);
}

/** Main-namespace group of the tabs that follow a user's presence. */
export function watchRoom(userId: string): `watch:${string}` {
  return shared(`watch:${userId}`);
}

/**
 * One copy of the name of a group many sockets join. The adapter keeps, for every socket, the names of
 * its groups: a name built per join (from a room id each query returns afresh) costs each socket ~90 B per
 * group — a tab in 20 rooms, 1.8 KiB. V8 keeps one copy of every property name (its string table, which
 * lets go of names nobody holds any more), so the name read back as a key is that one copy.
 * (`user:` names are not shared this way: a user's group is usually one tab, whose name costs less built.)
 */
function shared<Name extends string>(name: Name): Name {
  const keys: Record<string, true> = Object.create(null) as Record<string, true>;
  keys[name] = true;
  return Object.keys(keys)[0] as Name;
}
