/**
 * Walks every schema exported by lib/schemas and checks that each free-text string in it carries the
 * shared text rule (text.ts): so a new field, query parameter or socket payload cannot forget it, and
 * NUL or control characters never reach PostgreSQL or another user's screen.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { textRules } from './text';

const modules = import.meta.glob<Record<string, unknown>>(['./*.ts', '!./*.test.ts'], { eager: true });

/** Strings whose format cannot hold control characters (uuid, ISO dates, …) need no rule of their own. */
const SAFE_FORMATS = new Set(['uuid', 'guid', 'datetime', 'date', 'time', 'email', 'url', 'cuid', 'cuid2', 'ulid', 'base64', 'base64url', 'ipv4', 'ipv6', 'e164']);

interface StringLeaf {
  path: string;
  schema: z.ZodType;
}

type Def = {
  type: string;
  format?: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  left?: z.ZodType;
  right?: z.ZodType;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  items?: z.ZodType[];
  rest?: z.ZodType | null;
};

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

function stringLeaves(schema: z.ZodType, path: string, seen = new Set<z.ZodType>()): StringLeaf[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  const def = defOf(schema);
  const children: [string, z.ZodType | undefined | null][] = [];
  switch (def.type) {
    case 'string':
      return def.format && SAFE_FORMATS.has(def.format) ? [] : [{ path, schema }];
    case 'object':
      for (const [key, child] of Object.entries(def.shape ?? {})) children.push([`${path}.${key}`, child]);
      break;
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      children.push([path, def.innerType]);
      break;
    case 'pipe':
      children.push([path, def.in], [path, def.out]);
      break;
    case 'array':
      children.push([`${path}[]`, def.element]);
      break;
    case 'union':
      (def.options ?? []).forEach((option, i) => children.push([`${path}|${i}`, option]));
      break;
    case 'intersection':
      children.push([path, def.left], [path, def.right]);
      break;
    case 'record':
      children.push([`${path}{key}`, def.keyType], [`${path}{value}`, def.valueType]);
      break;
    case 'tuple':
      (def.items ?? []).forEach((item, i) => children.push([`${path}[${i}]`, item]));
      children.push([`${path}[…]`, def.rest]);
      break;
    default:
      return []; // numbers, booleans, literals, enums, transforms…: nothing free-form
  }
  return children.flatMap(([childPath, child]) => (child ? stringLeaves(child, childPath, seen) : []));
}

const schemas = Object.entries(modules).flatMap(([file, exports]) =>
  Object.entries(exports)
    .filter(([, value]) => value instanceof z.ZodType)
    .map(([name, value]) => ({ name: `${file.replace('./', '')}:${name}`, schema: value as z.ZodType })),
);

describe('every schema in lib/schemas', () => {
  it('finds the schemas to walk', () => {
    expect(schemas.length).toBeGreaterThan(10);
    expect(schemas.map((s) => s.name)).toEqual(expect.arrayContaining(['user.ts:registerSchema', 'message.ts:sendMessageSchema', 'room.ts:createRoomSchema']));
  });

  const leaves = schemas.flatMap(({ name, schema }) => stringLeaves(schema, name));

  it.each(leaves.map((leaf) => [leaf.path, leaf] as const))('%s carries the shared text rule', (_path, leaf) => {
    const rule = textRules.get(leaf.schema);
    expect(rule, 'every free-text string goes through plainText() as its last string step').toBeDefined();
    for (const bad of ['ab\u0000cd', 'ab\u0007cd', 'ab\u001bcd', 'ab\u0085cd', 'ab\u007fcd']) {
      const result = leaf.schema.safeParse(bad);
      expect(result.success, JSON.stringify(bad)).toBe(false);
      expect(result.error?.issues.map((i) => i.message).join(' ')).toMatch(/control characters/);
    }
    if (rule?.kind === 'multi-line') {
      expect(leaf.schema.safeParse('line one\nline two\twith a tab').error?.issues.map((i) => i.message).join(' ') ?? '').not.toMatch(/control/);
    }
    if (rule?.kind === 'name') {
      expect(leaf.schema.safeParse('abc\u202Etxt.exe').success).toBe(false);
    }
  });
});
