/**
 * What every hierarchical (HL-structured) X12 reader of ours shares — 270/271, 276/277, 278: the
 * BHT that must follow ST, HL01 numbering, HL02 parent links checked against the transaction's
 * level tree, and errors that name the segment position. Each transaction's mapper extends this
 * and reads its own segments; `hl()` returns the level an HL opens once its place in the tree is
 * checked.
 */
import type { TransactionHandler } from './envelope';
import { X12Error } from './errors';
import { el, type Delimiters, type Segment } from './tokenize';

export type HlTree = {
  /** Name used in messages: "270", "a 278". */
  name: string;
  /** BHT01: hierarchical structure code (0022 eligibility, 0010 claim status, 0007 services review). */
  structure: string;
  /** BHT02 purposes this reader accepts, and how to say what they mean when another comes. */
  purposes: string[];
  purposeMessage: (got: string) => string;
  /** Each HL03 level code and the level its parent must be (undefined: the top level). */
  parent: Record<string, string | undefined>;
  /** The level list in HL03 messages, e.g. "20, 21, 22, 23". */
  levelList: string;
};

export abstract class HlTransactionReader implements TransactionHandler {
  protected d!: Delimiters;
  protected bht = false;
  protected level = '';
  protected readonly hlLevels = new Map<string, string>();

  constructor(protected readonly tree: HlTree) {}

  start(_st: Segment, _gs: Segment, d: Delimiters): void {
    this.d = d;
    this.bht = false;
    this.level = '';
    this.hlLevels.clear();
  }

  abstract segment(seg: Segment): void;
  abstract end(se: Segment): void;

  protected fail(seg: Segment, reason: string, code: X12Error['code'] = 'LOOP'): never {
    throw new X12Error(seg.position, seg.id, reason, code);
  }

  /** Before the BHT: checks it and returns true (the segment is consumed); afterwards false. */
  protected readBht(seg: Segment): boolean {
    if (this.bht) return false;
    if (seg.id !== 'BHT') this.fail(seg, `${seg.id} before BHT: BHT must follow ST`);
    if (el(seg, 1) !== this.tree.structure) this.fail(seg, `BHT01 "${el(seg, 1)}" is not ${this.tree.structure}`, 'CONTENT');
    if (!this.tree.purposes.includes(el(seg, 2))) this.fail(seg, this.tree.purposeMessage(el(seg, 2)), 'CONTENT');
    this.bht = true;
    return true;
  }

  /** At SE: a transaction set without its BHT is refused. */
  protected requireBht(se: Segment, name: string): void {
    if (!this.bht) throw new X12Error(se.position, 'SE', `the ${name} has no BHT`, 'LOOP');
  }

  /** Checks an HL's number, level and parent against the tree; returns [HL01, level] (not yet entered). */
  protected readHl(seg: Segment): [id: string, level: string] {
    const [id, parent, level] = [el(seg, 1), el(seg, 2), el(seg, 3)];
    const tree = this.tree.parent;
    if (!(level in tree)) this.fail(seg, `HL03 "${level}" is not a ${this.tree.name} level (${this.tree.levelList})`);
    if (String(this.hlLevels.size + 1) !== id) this.fail(seg, `HL01 "${id}" out of sequence (expected ${this.hlLevels.size + 1})`);
    const parentLevel = parent ? this.hlLevels.get(parent) : undefined;
    if (parent && !parentLevel) this.fail(seg, `HL02 parent "${parent}" does not exist`);
    if (parentLevel !== tree[level]) this.fail(seg, `HL level ${level} must have a ${tree[level] ?? 'no'} parent, got ${parentLevel ?? 'none'}`);
    return [id, level];
  }

  /** Enters the HL level once the subclass closed what the previous level held. */
  protected enterHl(id: string, level: string): void {
    this.hlLevels.set(id, level);
    this.level = level;
  }
}
