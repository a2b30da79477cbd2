/**
 * The client→server events of the Socket.IO contract, read from lib/realtime/events.ts with the
 * TypeScript parser: tests that must cover every event (the authorization matrix, the fuzz test) find a
 * new one without anyone listing it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const EVENTS_FILE = path.resolve(import.meta.dirname, '../realtime/events.ts');

/** Event names of an interface in events.ts (`ClientToServerEvents`, `RoomClientToServerEvents`, …). */
export function eventNamesOf(interfaceName: string): string[] {
  const source = ts.createSourceFile(EVENTS_FILE, readFileSync(EVENTS_FILE, 'utf8'), ts.ScriptTarget.Latest, true);
  const names: string[] = [];
  let found = false;
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node) || node.name.text !== interfaceName) return;
    found = true;
    for (const member of node.members) {
      if (member.name && (ts.isStringLiteral(member.name) || ts.isIdentifier(member.name))) names.push(member.name.text);
    }
  });
  if (!found) throw new Error(`no interface ${interfaceName} in ${EVENTS_FILE}`);
  return names;
}

export const mainClientEvents = (): string[] => eventNamesOf('ClientToServerEvents');
export const roomClientEvents = (): string[] => eventNamesOf('RoomClientToServerEvents');
