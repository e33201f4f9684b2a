/**
 * Runs every X12 file of a folder through the product's readers and says, per file, whether it
 * was accepted or rejected and why (X12Error code = reason class, segment position, reason).
 * Used by `npm run x12:corpus` (scripts/x12-corpus.ts) over x12/fixtures/public and by
 * x12/public-corpus.test.ts. Pure apart from reading the folder.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { X12Error } from './errors';
import { parse835All, read835Stream } from './parse-835';
import { parse837P, read837P } from './parse-837p';
import { parse999 } from './parse-999';
import { parse277CA } from './parse-277ca';
import { el, tokenize } from './tokenize';

export type CorpusOutcome =
  | { file: string; kind: string; accepted: true; summary: string; mapped?: CorpusRejection }
  | ({ file: string; kind: string; accepted: false } & CorpusRejection);
export interface CorpusRejection {
  code: X12Error['code'];
  segmentPosition: number;
  segmentId: string;
  reason: string;
}

const X12_FILE = /\.(835|837|999|277|x12|edi|txt)$/i;

function rejection(e: unknown): CorpusRejection {
  if (!(e instanceof X12Error)) throw e;
  return { code: e.code, segmentPosition: e.segmentPosition, segmentId: e.segmentId, reason: e.reason };
}

/** ST01 of the first transaction set, or '?' when the file cannot be tokenized that far. */
function kindOf(text: string): string {
  try {
    for (const seg of tokenize(text)) if (seg.id === 'ST') return el(seg, 1);
  } catch {
    // reported by the reader below, with its position
  }
  return '?';
}

async function* chunked(text: string, n: number) {
  for (let i = 0; i < text.length; i += n) yield text.slice(i, i + n);
}

export async function runFile(file: string, text: string): Promise<CorpusOutcome> {
  const kind = kindOf(text);
  try {
    switch (kind) {
      case '835': {
        const all = parse835All(text);
        // The streaming reader must agree with the string reader (one tokenizer).
        const streamed = await read835Stream(chunked(text, 4096));
        if (JSON.stringify(streamed) !== JSON.stringify(all)) throw new Error(`${file}: stream and string 835 readers disagree`);
        return { file, kind, accepted: true, summary: `${all.length} remittance(s), ${all.reduce((s, r) => s + r.claims.length, 0)} claim payment(s), payer ${all.map((r) => r.payerId).join(', ')}` };
      }
      case '999': {
        const acks = parse999(text);
        return { file, kind, accepted: true, summary: acks.map((a) => `group ${a.groupControlNumber} ${a.status}`).join('; ') };
      }
      case '277': {
        const claims = parse277CA(text);
        return { file, kind, accepted: true, summary: claims.map((c) => `claim ${c.status}`).join('; ') };
      }
      default: {
        // 837 (and anything else: the 837P reader names what it is not).
        const claims = read837P(text);
        const summary = `${claims.length} claim(s), ${claims.reduce((s, c) => s + c.lines.length, 0)} line(s)`;
        try {
          parse837P(text, { practiceId: 'corpus' });
          return { file, kind, accepted: true, summary };
        } catch (e) {
          return { file, kind, accepted: true, summary, mapped: rejection(e) };
        }
      }
    }
  } catch (e) {
    return { file, kind, accepted: false, ...rejection(e) };
  }
}

export async function runCorpus(dir: string): Promise<CorpusOutcome[]> {
  const files = readdirSync(dir).filter((f) => X12_FILE.test(f) && !/^LICENSE/i.test(f)).sort();
  const out: CorpusOutcome[] = [];
  for (const f of files) out.push(await runFile(f, readFileSync(path.join(dir, f), 'utf8')));
  return out;
}

/** A plain-text report: one line per file, then the counts. */
export function formatCorpus(outcomes: CorpusOutcome[]): string {
  const lines = outcomes.map((o) =>
    o.accepted
      ? `accepted  ${o.kind.padEnd(4)} ${o.file}: ${o.summary}${o.mapped ? ` | claim model: refused, ${o.mapped.code} segment ${o.mapped.segmentPosition} (${o.mapped.segmentId}): ${o.mapped.reason}` : ''}`
      : `rejected  ${o.kind.padEnd(4)} ${o.file}: ${o.code} segment ${o.segmentPosition} (${o.segmentId}): ${o.reason}`,
  );
  const byClass = new Map<string, number>();
  for (const o of outcomes) if (!o.accepted) byClass.set(o.code, (byClass.get(o.code) ?? 0) + 1);
  const accepted = outcomes.filter((o) => o.accepted).length;
  const mappedRefused = outcomes.filter((o) => o.accepted && o.mapped).length;
  lines.push(
    '',
    `files: ${outcomes.length}, accepted: ${accepted}, rejected: ${outcomes.length - accepted}` +
      (byClass.size ? ` (${[...byClass].map(([c, n]) => `${c} ${n}`).join(', ')})` : ''),
    `837 files read but not mappable to the claim model: ${mappedRefused}`,
  );
  return lines.join('\n');
}
