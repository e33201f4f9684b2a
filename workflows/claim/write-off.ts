/**
 * AR-6 write-off: requested by one person, approved by another with an approver role. A write-off
 * of the whole open balance closes the claim; of part of it, the claim goes on for the rest.
 */
import * as wf from '@temporalio/workflow';
import { approveWriteOffUpdate, rejectWriteOffUpdate, requestWriteOffUpdate } from '../../contracts/claim';
import { writeOffAllowed } from '../../domain/ar';
import { conflict, invalid } from './handlers';
import { log, setStatus, type ClaimRun } from './run';
import { money, openBalanceCents } from './state';
import { patched } from './patches';

/** Roles that may approve a write-off (AR-6). */
const WRITE_OFF_APPROVER_ROLES = ['approver', 'admin'];

export function registerWriteOffHandlers(run: ClaimRun) {
  const c = run.c;
  const s = c.state;
  // Rejection (AR-6): the approver says no, with the reason; the request is cleared so the claim can
  // be worked (or a different write-off requested). A new handler: histories without it replay unchanged.
  wf.setHandler(
    rejectWriteOffUpdate,
    (update) => {
      const rejected = s.writeOff!;
      s.writeOff = undefined;
      log(run, s.status, update.actor, `write-off of ${money(rejected.amountCents)} requested by ${rejected.requestedBy} rejected (AR-6): ${update.reason}`);
      return s;
    },
    {
      validator: (update) => {
        if (s.status === 'closed') conflict('claim is closed');
        if (!s.writeOff || s.writeOff.approvedBy) conflict('no write-off is waiting for approval');
        if (!WRITE_OFF_APPROVER_ROLES.includes(update.role)) conflict(`AR-6: a ${update.role} cannot reject a write-off: an approver decides`);
        if (update.actor === s.writeOff.requestedBy) conflict('AR-6: the requester does not decide their own write-off');
        if (!update.reason?.trim()) invalid('say why the write-off is rejected', 'reason');
      },
    },
  );
  wf.setHandler(
    requestWriteOffUpdate,
    (update) => {
      s.writeOff = { requestedBy: update.actor, amountCents: update.amountCents, rationale: update.rationale };
      log(run, s.status, update.actor, `write-off of ${money(update.amountCents)} requested (AR-6): awaiting approval by someone else`);
      return s;
    },
    {
      validator: (update) => {
        if (s.status === 'closed') conflict('claim is closed');
        if (s.writeOff && !s.writeOff.approvedBy) conflict(`a write-off of ${money(s.writeOff.amountCents)} requested by ${s.writeOff.requestedBy} is awaiting approval`);
        if (!Number.isInteger(update.amountCents) || update.amountCents <= 0) invalid('amountCents must be a positive whole number of cents', 'amountCents');
        if (update.amountCents > openBalanceCents(c)) invalid(`amountCents exceeds the open balance of ${money(openBalanceCents(c))}`, 'amountCents');
        if (!update.rationale?.trim()) invalid('the write-off analysis needs a documented rationale (AR-5/AR-6)', 'rationale');
      },
    },
  );
  wf.setHandler(
    approveWriteOffUpdate,
    async (update) => {
      s.writeOff = { ...s.writeOff!, approvedBy: update.actor, recoveryReview: update.recoveryReview };
      const open = openBalanceCents(c);
      if (s.writeOff.amountCents < open && patched('partial-write-off')) {
        // A write-off of part of the balance: recorded, and the claim goes on for the rest.
        s.writtenOffCents = (s.writtenOffCents ?? 0) + s.writeOff.amountCents;
        await setStatus(run, s.status, update.actor, `written off ${money(s.writeOff.amountCents)} (AR-6 partial, requested by ${s.writeOff.requestedBy}); ${money(open - s.writeOff.amountCents)} still open`);
        return s;
      }
      c.closeRequest = { actor: update.actor, reason: `written off ${money(s.writeOff.amountCents)} (AR-6, requested by ${s.writeOff.requestedBy})` };
      await wf.condition(() => s.status === 'closed');
      return s;
    },
    {
      validator: (update) => {
        if (!s.writeOff) conflict('no write-off has been requested');
        if (s.writeOff.approvedBy) conflict('the write-off is already approved');
        const decision = writeOffAllowed(
          { requestedBy: s.writeOff.requestedBy, amountCents: s.writeOff.amountCents, rationale: s.writeOff.rationale },
          { approvedBy: update.actor, approverRole: update.role, recoveryReview: update.recoveryReview },
          { allowedApproverRoles: WRITE_OFF_APPROVER_ROLES },
        );
        if (!decision.ok) {
          if (decision.field === 'approvedBy' || decision.field === 'approverRole') conflict(`AR-6: ${decision.reason}`);
          invalid(`AR-6: ${decision.reason}`, decision.field);
        }
      },
    },
  );
}
