/**
 * A room's address, `/rooms/<roomId>`, optionally opened at a message (`?seq=<seq>`, or the older `?m=<seq>`):
 * read by the server page, the client room host and everything that decides which room is on screen.
 */

/** The room a path shows (`/rooms/<roomId>`), or undefined for any other page. */
export function roomIdFromPath(pathname: string): string | undefined {
  return /^\/rooms\/([^/]+)\/?$/.exec(pathname)?.[1];
}

/** One `?seq=`/`?m=` value as a seq (1 … 2^31−1); anything else is ignored. */
function seqValue(value: string | string[] | null | undefined): number | undefined {
  if (typeof value !== 'string' || !/^[1-9]\d{0,9}$/.test(value)) return undefined;
  const seq = Number(value);
  return seq <= 2_147_483_647 ? seq : undefined;
}

/** The message a room link opens at: `seq`, else the older `m`. */
export function jumpTarget(get: (name: 'seq' | 'm') => string | string[] | null | undefined): number | undefined {
  return seqValue(get('seq')) ?? seqValue(get('m'));
}
