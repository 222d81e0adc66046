/**
 * Mesos's files endpoints on the agent, over task sandboxes (see
 * ../agent/sandboxFiles.ts for the path rules): `/files/browse?path=`,
 * `/files/read?path=&offset=&length=` (`{"data","offset"}`), and
 * `/files/download?path=` (the raw bytes), each also with `.json`; plus the
 * v1 calls LIST_FILES and READ_FILE. Bad queries are 400, unknown paths 404,
 * escapes 403.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { browse, downloadPath, readChunk } from '../agent/sandboxFiles.js';
import type { FileInfo, FilesProblem } from '../agent/sandboxFiles.js';
import type { AgentAuthorizer } from '../security/agentSecurity.js';
import { refuseUnauthorized } from '../security/agentSecurity.js';

type Query = Record<string, string | undefined>;

const TYPE_CHARS: Array<[number, string]> = [
  [0o040000, 'd'],
  [0o120000, 'l'],
  [0o020000, 'c'],
  [0o060000, 'b'],
  [0o010000, 'p'],
  [0o140000, 's'],
];

/** "-rw-r--r--", as Mesos's model(FileInfo) prints modes. */
export function modeString(mode: number): string {
  const type = TYPE_CHARS.find(([bits]) => (mode & 0o170000) === bits)?.[1] ?? '-';
  const bits = 'rwxrwxrwx';
  let out = type;
  for (let index = 0; index < 9; index++) out += mode & (1 << (8 - index)) ? bits[index] : '-';
  return out;
}

export function classicFileInfo(info: FileInfo): Record<string, unknown> {
  return {
    path: info.path,
    nlink: info.nlink,
    size: info.size,
    mtime: info.mtimeSeconds,
    mode: modeString(info.mode),
    uid: info.uid,
    gid: info.gid,
  };
}

export function v1FileInfo(info: FileInfo): Record<string, unknown> {
  return {
    path: info.path,
    nlink: info.nlink,
    size: info.size,
    mtime: { nanoseconds: info.mtimeSeconds * 1e9 },
    mode: info.mode,
    uid: info.uid,
    gid: info.gid,
  };
}

function fail(reply: FastifyReply, result: FilesProblem): FastifyReply {
  return reply.code(result.status).type('text/plain; charset=utf-8').send(`${result.message}\n`);
}

/** Mesos parses offset and length as integers; -1 is allowed for both (size only / to the end). */
export function parseReadQuery(query: Query): { ok: true; offset: number; length: number | null } | FilesProblem {
  const number = (name: 'offset' | 'length'): number | null | string => {
    const text = query[name];
    if (text === undefined) return null;
    if (!/^-?\d{1,16}$/.test(text)) return `Failed to parse ${name}: "${text.slice(0, 32)}" is not an integer.`;
    const value = Number(text);
    if (value < -1) return `Negative ${name} provided: ${value}.`;
    if (!Number.isSafeInteger(value)) return `${name}: too large`;
    return value;
  };
  const offset = number('offset');
  if (typeof offset === 'string') return { ok: false, status: 400, message: offset };
  const length = number('length');
  if (typeof length === 'string') return { ok: false, status: 400, message: length };
  return { ok: true, offset: offset ?? -1, length: length === -1 ? null : length };
}

/** The files endpoints over `workDir`; each request authorized as LIST_FILES (browse) or READ_FILE (read, download). */
export function registerFilesEndpoints(app: FastifyInstance, workDir: string, authorize: AgentAuthorizer): void {
  const path = (query: Query) => query.path ?? '';
  for (const suffix of ['', '.json']) {
    app.get(`/files/browse${suffix}`, (request, reply) => {
      if (refuseUnauthorized(authorize, request, reply, { type: 'LIST_FILES' })) return reply;
      const result = browse(workDir, path(request.query as Query));
      if (!result.ok) return fail(reply, result);
      return reply.type('application/json').send(JSON.stringify(result.entries.map(classicFileInfo)));
    });
    app.get(`/files/read${suffix}`, (request, reply) => {
      if (refuseUnauthorized(authorize, request, reply, { type: 'READ_FILE' })) return reply;
      const query = request.query as Query;
      const parsed = parseReadQuery(query);
      if (!parsed.ok) return fail(reply, parsed);
      const result = readChunk(workDir, path(query), parsed.offset, parsed.length);
      if (!result.ok) return fail(reply, result);
      return reply.type('application/json').send(JSON.stringify({ data: result.data.toString('utf8'), offset: result.offset }));
    });
    app.get(`/files/download${suffix}`, (request, reply) => {
      if (refuseUnauthorized(authorize, request, reply, { type: 'READ_FILE' })) return reply;
      const result = downloadPath(workDir, path(request.query as Query));
      if (!result.ok) return fail(reply, result);
      return reply
        .type('application/octet-stream')
        .header('Content-Disposition', `attachment; filename=${basename(result.real).replace(/[^A-Za-z0-9._-]/g, '_')}`)
        .header('Content-Length', String(result.size))
        .send(createReadStream(result.real));
    });
  }
}
